"""The default service catalogue and opening hours that `flask booking defaults` seeds.

A service's code and name are credit's (credit.service_types), the words of workers'
`service_types`, so "this worker offers this service" is its code appearing in that list.
"""

from datetime import time

# code, typical minutes, description (the name is SERVICE_TYPES[code])
DEFAULT_SERVICES = [
    ("cleaning", 120, "日常保洁、深度清洁、开荒保洁"),
    ("childcare", 240, "婴幼儿看护、辅食与早教陪伴"),
    ("elderly_care", 240, "居家老人照护、陪诊、助浴"),
    ("maternity", 480, "母婴护理：产妇与新生儿照护"),
    ("appliance_cleaning", 120, "空调、油烟机、洗衣机清洗"),
    ("cooking", 120, "上门做饭、营养配餐"),
]

# Default hours for every offer: 08:00-18:00 Beijing time, every day; slot length and places
# per slot by service (a 月嫂 visit is one long slot a day).
DEFAULT_OPENS_AT, DEFAULT_CLOSES_AT = time(8, 0), time(18, 0)
DEFAULT_SLOTS = {  # service code: (slot minutes, places per slot)
    "cleaning": (120, 3),
    "childcare": (240, 2),
    "elderly_care": (240, 2),
    "maternity": (480, 1),
    "appliance_cleaning": (120, 2),
    "cooking": (120, 2),
}
