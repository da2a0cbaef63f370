"""Where the service runs: Guangzhou's 11 districts (NBS county codes) and its extent. Districts
change far less often than stations, which are data imported from CSV."""

DISTRICTS: dict[str, str] = {
    "440103": "荔湾区",
    "440104": "越秀区",
    "440105": "海珠区",
    "440106": "天河区",
    "440111": "白云区",
    "440112": "黄埔区",
    "440113": "番禺区",
    "440114": "花都区",
    "440115": "南沙区",
    "440117": "从化区",
    "440118": "增城区",
}

DISTRICT_CODES_BY_NAME = {name: code for code, name in DISTRICTS.items()}

# Bounding box of Guangzhou (the same in either datum at this precision): station coordinates
# must fall inside it, and a point outside it is outside the service area.
GUANGZHOU_EXTENT = {"min_lat": 22.5, "max_lat": 23.95, "min_lng": 112.9, "max_lng": 114.1}


def inside_guangzhou(lat: float, lng: float) -> bool:
    return (GUANGZHOU_EXTENT["min_lat"] <= lat <= GUANGZHOU_EXTENT["max_lat"]
            and GUANGZHOU_EXTENT["min_lng"] <= lng <= GUANGZHOU_EXTENT["max_lng"])
