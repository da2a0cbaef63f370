"""Operators read logs; residents' ID numbers, phones and session tokens never reach them."""

import logging

from app.observability import JsonLogFormatter
from tests.factories import new_id_number


def test_no_log_line_holds_an_id_number_a_phone_or_a_session_token(make_applicant, client, operator, caplog):
    id_number, phone = new_id_number(), "13812345678"
    token = operator["Authorization"].split()[1]
    with caplog.at_level(logging.INFO):
        worker = make_applicant(id_number=id_number, phone=phone)
        client.get(f"/api/v1/workers/{worker['id']}", headers=operator)
        client.post("/api/v1/workers", json={"name": "李四", "id_number": id_number, "phone": phone}, headers=operator)
        client.patch(f"/api/v1/workers/{worker['id']}", json={"phone": "1381234567x"}, headers=operator)
        client.get("/api/v1/me", headers={"Authorization": "Bearer " + token[:-1]})
    lines = [JsonLogFormatter().format(record) for record in caplog.records]
    assert any('"route": "/api/v1/workers"' in line for line in lines)  # the flow was logged at all
    for secret in (id_number, id_number[:14], phone, "1381234567", token, token[:-1]):
        assert not any(secret in line for line in lines), secret
