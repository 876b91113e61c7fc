"""api.routes — thin HTTP routes: validate, call one service function, return a model."""
