"""`flask engagements demo`: labelled engagements in several states for `make run`, loaded once."""

from collections import Counter


def test_the_demo_shows_engagements_in_several_states_once(cli, client, operator):
    result = cli("engagements", "demo")
    assert result.exit_code == 0, result.output
    listed = client.get("/api/v1/engagement-requests", headers=operator).json
    assert Counter(item["status"] for item in listed["items"]) == Counter(
        ["requested", "proposed", "interviewing", "confirmed", "in_service", "completed"]
    )
    assert "already loaded" in cli("engagements", "demo").output
    assert client.get("/api/v1/engagement-requests", headers=operator).json["total"] == 6
