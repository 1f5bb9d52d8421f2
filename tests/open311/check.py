"""Reads Tongban's Open311 GeoReport v2 API with the third-party `georeport` client from PyPI,
in JSON and XML. Usage: python3 check.py BASE_URL REQUEST_ID SERVICE_CODE
Prints `open311 client: ok` on success; any mismatch raises."""

import sys

from georeport import GeoReport

base, request_id, service_code = sys.argv[1], sys.argv[2], sys.argv[3]

for fmt in ("json", "xml"):
    client = GeoReport(f"{base}/open311/v2", output_format=fmt)
    services = client.get_service_list()
    codes = [s["service_code"] for s in services]
    assert service_code in codes, (fmt, codes)
    definition = client.get_service_definition(service_code)
    assert definition["service_code"] == service_code, (fmt, definition)
    requests_ = client.get_service_requests(service_code=service_code)
    if isinstance(requests_, dict):  # xmltodict gives a dict for a single element
        requests_ = [requests_]
    ids = [r["service_request_id"] for r in requests_]
    assert request_id in ids, (fmt, ids)
    one = client.get_service_request(request_id)
    if isinstance(one, list):
        one = one[0]
    assert one["service_request_id"] == request_id, (fmt, one)
    assert one["status"] in ("open", "closed"), (fmt, one)
    assert one["requested_datetime"].endswith("+08:00"), (fmt, one)
    closed = client.get_service_requests(service_request_id=request_id, status="closed")
    print(f"open311 client ({fmt}): {len(services)} services, request {request_id} {one['status']}")

print("open311 client: ok")
