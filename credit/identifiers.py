"""Check characters of the two national identifiers the credit file rests on.

GB 11643-1999: the 18-character resident ID number (6-digit region, 8-digit birth date, 3-digit
sequence, ISO 7064 MOD 11-2 check character). GB 32100-2015: the 18-character unified social
credit code of an organisation (check character over a 31-symbol alphabet).

python-stdnum computes both check characters (stdnum.cn.ric, stdnum.cn.uscc) and ships the GB/T
2260 region codes an ID number starts with (stdnum/cn/loc.dat, with the years each code was in
use); the shapes and the messages are ours. We do not use its `validate`: uscc's wants the first 8
characters to be digits and so refuses codes that GB 32100 allows (registration authorities Y, N,
A ...: a farmers' cooperative's code starts with N), and ric's says "invalid" without saying why
and refuses a region whose code was not in use in the birth year, which a number first given
after a move into a newer county can have.

Both numbers are stored in the form the standards print: capitals, no spaces (normal_form).
"""

import re
from dataclasses import dataclass
from datetime import date, datetime

from stdnum import numdb
from stdnum.cn import ric, uscc

from app.clock import today_in_beijing
from app.i18n import _

ID_NUMBER_PATTERN = re.compile(r"\d{17}[\dX]", re.ASCII)  # ASCII: \d would also take ٤ and ４
EARLIEST_BIRTH_YEAR = 1900

CREDIT_CODE_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # no I, O, S, V, Z
CREDIT_CODE_PATTERN = re.compile(rf"[{CREDIT_CODE_ALPHABET}]{{2}}\d{{6}}[{CREDIT_CODE_ALPHABET}]{{10}}", re.ASCII)
REGIONS = numdb.get("cn/loc")


def normal_form(value: str) -> str:
    """An ID number or credit code as the standards print it: capitals, no spaces (people copy
    them with spaces every four characters, or type the letters in lower case)."""
    return "".join(value.split()).upper()


def is_region(code: str) -> bool:
    """Whether `code` is a county-level division of GB/T 2260, now or in the past."""
    return any("county" in properties for _, properties in REGIONS.info(code))


def id_number_check_character(first17: str) -> str:
    return ric.calc_check_digit(first17 + "?")  # it takes the whole number and ignores its last character


def id_number_problem(value: str, today: date | None = None) -> str | None:
    """Why `value` is not a valid resident ID number, or None when it is."""
    if not ID_NUMBER_PATTERN.fullmatch(value):
        return _("must be 17 digits followed by a digit or X")
    if not is_region(value[:6]):
        return _("characters 1-6 must be a region code (GB/T 2260)")
    try:
        birth = datetime.strptime(value[6:14], "%Y%m%d").date()
    except ValueError:
        return _("characters 7-14 must be a real birth date (YYYYMMDD)")
    if not EARLIEST_BIRTH_YEAR <= birth.year or birth > (today or today_in_beijing()):
        return _("the birth date is not plausible")
    if id_number_check_character(value[:17]) != value[17]:
        return _("the check character (GB 11643) does not match")
    return None


MALE, FEMALE = "male", "female"
GENDERS = (MALE, FEMALE)


@dataclass(frozen=True)
class Demographics:
    gender: str
    birth_year: int


def demographics(id_number: str) -> Demographics:
    """What statistics keep of a valid ID number instead of the number: characters 7-10 are the
    birth year, and the 17th (the sequence's last digit) is odd for a man and even for a woman
    (GB 11643-1999, 4.3)."""
    return Demographics(gender=MALE if int(id_number[16]) % 2 else FEMALE, birth_year=int(id_number[6:10]))


def credit_code_check_character(first17: str) -> str:
    return uscc.calc_check_digit(first17)


def credit_code_problem(value: str) -> str | None:
    """Why `value` is not a valid unified social credit code, or None when it is."""
    if not CREDIT_CODE_PATTERN.fullmatch(value):
        return _("must be 18 characters: 2 code letters/digits, a 6-digit region, 10 more (no I, O, S, V, Z)")
    if credit_code_check_character(value[:17]) != value[17]:
        return _("the check character (GB 32100) does not match")
    return None
