"""Health and API documentation."""


def test_health_reports_each_part(client):
    response = client.get("/api/health")
    assert response.status_code == 200
    assert response.get_json()["data"] == {"db": "ok", "transport": "ok", "sandbox": "ok"}


def test_openapi_documents_bodies(client):
    spec = client.get("/api/swagger.json").get_json()
    assert "/register" in spec["paths"] and "/attempts" in spec["paths"]
    assert "ChallengeBody" in spec["definitions"] and "Attempt" in spec["definitions"]
    post = spec["paths"]["/challenges"]["post"]
    assert any(p.get("in") == "body" for p in post.get("parameters", []))
    assert client.get("/api/docs").status_code == 200
