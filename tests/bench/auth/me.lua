-- wrk script: GET /api/v1/auth/me with the access token from the TOKEN environment variable.
wrk.headers["Authorization"] = "Bearer " .. os.getenv("TOKEN")
