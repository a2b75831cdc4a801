"""The app's routers, by kind; `parallax.web.app.create_app` includes them in this order.

- `pages.router`   the reader's HTML pages and the correction form (not in the API schema)
- `api.reads`      the open JSON API (GET /api/...)
- `feeds.router`   GET /feeds/daily.atom
- `api.writes`     the JSON API's writes (POST /api/..., bearer token)

Routes get the app's shared state (`parallax.web.state.Desk`) through the `DeskDep` dependency.
"""
