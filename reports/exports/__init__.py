"""The approved-lecture list as files: `excel.build(document)` and `pdf.build(document)`.

Both take a `ApprovedList` (reports.exports.document): the frame of the issuing unit, the title
lines and the rows, so that the two formats print the same list."""
