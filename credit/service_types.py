"""The services a worker offers, by code: one vocabulary for workers' `service_types`, the booking
catalogue (booking seeds its services from it) and the scan. A code is what programs send and
store; its Chinese name is what a person reads, always given beside it."""

SERVICE_TYPES = {
    "cleaning": "保洁",
    "childcare": "育婴",
    "elderly_care": "养老护理",
    "maternity": "月嫂",
    "appliance_cleaning": "家电清洗",
    "cooking": "做饭",
    # Long engagements only (engagements/): a housekeeper living in, not a bookable visit.
    "live_in_housekeeping": "住家保姆",
}

# The Chinese names the source system's exports use, so an import may name a service either way.
CODE_OF_NAME = {name: code for code, name in SERVICE_TYPES.items()}


def named(codes: list[str] | None) -> list[dict[str, str]]:
    """Each code with its name, in the worker's order."""
    return [{"code": code, "name": SERVICE_TYPES.get(code, code)} for code in codes or []]
