"""OAI-PMH 2.0 (https://www.openarchives.org/OAI/openarchivesprotocol.html) for the library.

One item per lecture that has ever been published into a harvested library: the city's, and a
district's when the district opts in (settings.OAI_DISTRICTS). Its datestamp is the latest
publication or retraction there; when none of those publications is active any more, the item
is a deleted record (deletedRecord=persistent). Modules: `records` (what is harvested),
`metadata` (oai_dc and IEEE LOM), `protocol` (arguments, errors, resumption tokens), `views`.
"""
