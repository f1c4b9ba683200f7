"""LTI 1.3 tool (issue 14, item 1), built on PyLTI1p3 (no hand-written JWT code).

- models: the platforms (LMS) registered by hand, their deployments, the tool's RSA keys (with
  rotation), the LTI identities (issuer + sub) and the launches of a lecture.
- conf: PyLTI1p3's tool configuration backed by those models.
- views: JWKS, OIDC login initiation, launch, the Deep Linking picker, the player and the score.
- grades: the Assignment and Grade Services call, run by a Celery task.
"""
