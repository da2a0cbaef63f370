"""The workers staff could propose cost the same SQL statements at 1 worker as at many: the
rules (green, offering the service, free for the whole period) are conditions of one query that
stops at the limit, so neither every worker nor everybody's time is read."""

from tests.engagements.conftest import engagement_body
from tests.factories import plan_nodes, statements_with_parameters

MORE = 30


def test_proposable_workers_cost_the_same_statements_at_1_worker_and_at_many(
    client, count_statements, post, requested, chosen, staff, resident, maternity_worker, green_worker
):
    engagement, _ = requested(days_ahead=40)
    clerk = staff()
    path = f"/api/v1/engagements/{engagement['id']}/proposable-workers"

    def listed(query: str = "") -> tuple[int, int]:
        with count_statements() as statements:
            response = client.get(path + query, headers=clerk)
        assert response.status_code == 200, response.json
        return len(statements), len(response.json["items"])

    maternity_worker()
    at_one, _ = listed()
    assert listed() == (at_one, 1)
    for n in range(MORE):
        maternity_worker() if n % 3 else green_worker()  # a third offer no 月嫂 service
    for _ in range(3):
        chosen(days_ahead=30)  # three more 月嫂, held by other families over the period
    free = 1 + MORE - MORE // 3
    assert listed() == (at_one, free)
    assert listed("?limit=5") == (at_one, 5)
    assert listed("?q=不存在的名字") == (at_one, 0)

    preferred = maternity_worker()
    body = engagement_body(days_ahead=40) | {"preferred_worker_id": preferred["id"]}
    preferring = post("/engagements", resident(), body).json
    path = f"/api/v1/engagements/{preferring['id']}/proposable-workers"
    assert listed("?limit=5") == (at_one + 1, 5)  # she is looked up first, by her id


def test_a_page_of_a_stations_requests_reads_no_more_of_them_than_it_shows(
    client, count_statements, requested, staff, isolated
):
    """A page of the station's requests is picked by key, in their order, from an index of the
    station's requests, and only its rows are read: not every request of the station's history
    read and sorted (PostgreSQL's plan). The third page costs the statements of the first."""
    for days in (30, 10, 20):
        requested(days_ahead=days)
    clerk = staff()

    def page(number: int) -> tuple[int, list, list]:
        path = f"/api/v1/engagement-requests?per_page=1&page={number}"
        with count_statements() as statements, statements_with_parameters(isolated) as sent:
            response = client.get(path, headers=clerk)
        assert response.status_code == 200, response.json
        return len(statements), response.json["items"], sent

    first, shown, _ = page(1)
    third, last, sent = page(3)
    assert [item["start_day"] for item in shown + last] == sorted(item["start_day"] for item in shown + last)
    assert first == third
    if isolated.dialect.name == "postgresql":
        read = [
            node["Actual Rows"]
            for statement, parameters in sent
            if "FROM engagements" in statement
            for node in plan_nodes(isolated, statement, parameters)
            if node.get("Relation Name") == "engagements" and node["Node Type"] != "Index Only Scan"
        ]
        assert read and max(read) == 1  # the page's one request, however many the station has
