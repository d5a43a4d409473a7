"""The REST API for integrations (FastAPI, versioned at /api/v1) and the HTTP login routes of the
web app. Mounted into the Reflex backend (`api_transformer`) and served alone by `trainer api`.
Handlers only translate HTTP: the services decide, with the token's or session's user as actor."""
