"""Pattern data for the PII recognizers: number words, context phrases, street words, months.

Kept as plain Python data (not YAML) so it ships with the package without a package-data entry.
Every recognizer compiles its regular expressions from these tables once, at import time.
Context phrases are matched case-insensitively on word boundaries; a space inside a phrase matches
any run of spaces or hyphens ("e mail" also matches "e-mail").
"""

from __future__ import annotations

# --- spoken numbers --------------------------------------------------------------------------

DIGIT_WORDS: dict[str, str] = {
    "zero": "0",
    "oh": "0",
    "o": "0",
    "nought": "0",
    "one": "1",
    "two": "2",
    "three": "3",
    "four": "4",
    "five": "5",
    "six": "6",
    "seven": "7",
    "eight": "8",
    "nine": "9",
}
TEEN_WORDS: dict[str, str] = {
    "ten": "10",
    "eleven": "11",
    "twelve": "12",
    "thirteen": "13",
    "fourteen": "14",
    "fifteen": "15",
    "sixteen": "16",
    "seventeen": "17",
    "eighteen": "18",
    "nineteen": "19",
}
TENS_WORDS: dict[str, str] = {
    "twenty": "2",
    "thirty": "3",
    "forty": "4",
    "fourty": "4",
    "fifty": "5",
    "sixty": "6",
    "seventy": "7",
    "eighty": "8",
    "ninety": "9",
}
# What ASR writes for a digit said on its own ("for two for two" for 4242, "free" for three).
# They count as digits only inside a readout: see numbers.py.
HOMOPHONE_DIGITS: dict[str, str] = {
    "for": "4",
    "fore": "4",
    "to": "2",
    "too": "2",
    "free": "3",
    "tree": "3",
    "won": "1",
    "ate": "8",
}
# "double four" = 44, "triple one" = 111.
REPEAT_WORDS: dict[str, int] = {"double": 2, "triple": 3}
# Words ASR leaves between groups of a read-out number; they do not end the number.
FILLER_WORDS: tuple[str, ...] = (
    "um",
    "umm",
    "uh",
    "uhh",
    "er",
    "erm",
    "ah",
    "hmm",
    "dash",
    "hyphen",
)

ORDINAL_WORDS: dict[str, int] = {
    "first": 1,
    "second": 2,
    "third": 3,
    "fourth": 4,
    "fifth": 5,
    "sixth": 6,
    "seventh": 7,
    "eighth": 8,
    "ninth": 9,
    "tenth": 10,
    "eleventh": 11,
    "twelfth": 12,
    "thirteenth": 13,
    "fourteenth": 14,
    "fifteenth": 15,
    "sixteenth": 16,
    "seventeenth": 17,
    "eighteenth": 18,
    "nineteenth": 19,
    "twentieth": 20,
    "thirtieth": 30,
}

MONTHS: dict[str, int] = {
    "january": 1,
    "february": 2,
    "march": 3,
    "april": 4,
    "may": 5,
    "june": 6,
    "july": 7,
    "august": 8,
    "september": 9,
    "october": 10,
    "november": 11,
    "december": 12,
    "jan": 1,
    "feb": 2,
    "mar": 3,
    "apr": 4,
    "jun": 6,
    "jul": 7,
    "aug": 8,
    "sep": 9,
    "sept": 9,
    "oct": 10,
    "nov": 11,
    "dec": 12,
}

# --- context phrases -------------------------------------------------------------------------

CONTEXT: dict[str, tuple[str, ...]] = {
    # A long digit run soon after one of these is a card number even when incomplete.
    "card": (
        "card",
        "card number",
        "card no",
        "credit card",
        "debit card",
        "long number",
        "number on the front",
        "numbers on the front",
        "digits on the front",
        "front of the card",
        "visa",
        "mastercard",
        "master card",
        "amex",
        "american express",
        "discover card",
    ),
    # A 3-4 digit run soon after one of these is a card security code.
    "cvv": (
        "security code",
        "security number",
        "security digits",
        "cvv",
        "cvv2",
        "cvc",
        "cvc2",
        "cv2",
        "csc",
        "card verification",
        "verification code",
        "verification number",
        "three digit code",
        "three digit number",
        "three digits",
        "3 digit code",
        "3 digit number",
        "3 digits",
        "four digit code on the front",
        "digits on the back",
        "numbers on the back",
        "number on the back",
        "code on the back",
        "last three digits",
    ),
    # A 4-8 digit run soon after one of these is a PIN, passcode or one-time code.
    "pin": (
        "pin",
        "pin number",
        "pin code",
        "security pin",
        "passcode",
        "pass code",
        "access code",
        "one time code",
        "one time passcode",
        "one time password",
        "otp",
        "verification code",
        "authentication code",
        "authorisation code",
        "authorization code",
        "code we sent",
        "code we just sent",
        "code we texted",
        "code we emailed",
        "code i sent",
        "code you received",
        "code you got",
        "code in the text",
        "code in the email",
        "memorable number",
    ),
    # A month and year soon after one of these is a card's expiry date.
    "expiry": (
        "expiry",
        "expiry date",
        "expiration",
        "expiration date",
        "expires",
        "expire",
        "expiring",
        "exp date",
        "valid thru",
        "valid through",
        "valid until",
        "good thru",
        "good through",
    ),
    "national_id": (
        "social security",
        "social security number",
        "social",
        "ssn",
        "ss number",
        "taxpayer id",
        "tax id",
        "itin",
        "national insurance",
        "national insurance number",
        "ni number",
        "nino",
        "insurance number",
        "national id",
        "national identity number",
    ),
    "phone": (
        "phone",
        "phone number",
        "telephone",
        "mobile",
        "cell",
        "cellphone",
        "landline",
        "call",
        "call me",
        "calling from",
        "reach",
        "call you",
        "call back",
        "callback",
        "reach me",
        "reach you",
        "text me",
        "whatsapp",
        "contact number",
        "number",
        "dial",
        "ring me",
        "extension",
    ),
    "email": ("email", "e mail", "email address", "mail address"),
    "address": (
        "address",
        "live at",
        "living at",
        "lives at",
        "moved to",
        "ship to",
        "ship it to",
        "deliver to",
        "deliver it to",
        "send it to",
        "located at",
        "house",
    ),
    "dob": (
        "date of birth",
        "birth date",
        "birthdate",
        "birthday",
        "dob",
        "d o b",
        "d.o.b",
        "born",
        "born on",
        "born in",
    ),
    "postcode": ("zip", "zip code", "zipcode", "postal code", "postcode", "post code"),
    # Numbers right after one of these are business identifiers, not personal data: they stay
    # unless they are a complete Luhn-valid card number.
    "not_pii": (
        "order",
        "order number",
        "order no",
        "order id",
        "case",
        "case number",
        "case id",
        "ticket",
        "ticket number",
        "reference",
        "reference number",
        "ref",
        "tracking",
        "tracking number",
        "invoice",
        "invoice number",
        "confirmation",
        "confirmation number",
        "confirmation code",
        "receipt",
        "receipt number",
        "transaction",
        "transaction id",
        "claim",
        "claim number",
        "policy number",
        "account number",
        "account no",
        "customer number",
        "member number",
        "booking",
        "booking reference",
        "reservation",
        "serial",
        "serial number",
        "model",
        "model number",
        "sku",
        "item",
        "item number",
        "part number",
        "rma",
        "po",
        "version",
        "flight",
        "room",
    ),
}

# How many words may sit between a context phrase and the value it announces.
CONTEXT_WINDOW: dict[str, int] = {
    "card": 12,
    "cvv": 8,
    "pin": 6,
    "expiry": 6,
    "national_id": 8,
    "phone": 8,
    "email": 4,
    "address": 6,
    "dob": 8,
    "postcode": 5,
    "not_pii": 3,
}

# --- phones, cards ---------------------------------------------------------------------------

# Digit-group lengths a read-out phone number typically has (US 555-0148, 415-555-0148,
# 1-800-555-0148; UK 020 7946 0958, 0207 946 0958, 07700 900123, 07700 900 123).
PHONE_GROUPINGS: frozenset[tuple[int, ...]] = frozenset(
    {
        (3, 4),
        (3, 3, 4),
        (1, 3, 3, 4),
        (1, 3, 7),
        (3, 7),
        (3, 4, 4),
        (4, 3, 4),
        (5, 6),
        (5, 3, 3),
        (2, 4, 4),
        (2, 2, 4, 4),
        (2, 3, 4, 4),
        (2, 2, 3, 3, 3),
    }
)
# Context categories that, when nearer than any phone word, say a number is something else.
PHONE_COMPETING: tuple[str, ...] = (
    "phone",
    "card",
    "cvv",
    "pin",
    "expiry",
    "national_id",
    "dob",
    "postcode",
    "not_pii",
)
# Regions whose national number formats Presidio's phonenumbers-based recognizer checks
# (each region costs time; numbers written with a +country prefix are found regardless).
PHONE_REGIONS: tuple[str, ...] = ("US", "GB")

# Leading digits of card numbers (issuer identification ranges, loosely).
CARD_PREFIXES: tuple[str, ...] = ("2", "3", "4", "5", "6")

# --- emails ----------------------------------------------------------------------------------

SPOKEN_TLDS: tuple[str, ...] = (
    "com",
    "net",
    "org",
    "edu",
    "gov",
    "mil",
    "int",
    "co",
    "uk",
    "us",
    "ca",
    "au",
    "ie",
    "nz",
    "de",
    "fr",
    "es",
    "it",
    "nl",
    "be",
    "ch",
    "se",
    "no",
    "dk",
    "in",
    "io",
    "ai",
    "me",
    "info",
    "biz",
    "app",
    "dev",
    "email",
    "online",
    "xyz",
)
# Words that are never the local part of a spoken email ("look at example dot com").
EMAIL_LOCAL_STOPWORDS: frozenset[str] = frozenset(
    "look go went visit check here there it is was are me us him her them that this site "
    "website page online available you we they i be log logged sign signed".split()
)

# --- addresses -------------------------------------------------------------------------------

STREET_SUFFIXES: tuple[str, ...] = (
    "street",
    "st",
    "road",
    "rd",
    "avenue",
    "ave",
    "av",
    "lane",
    "ln",
    "drive",
    "dr",
    "boulevard",
    "blvd",
    "way",
    "court",
    "ct",
    "place",
    "pl",
    "close",
    "crescent",
    "cres",
    "terrace",
    "terr",
    "parkway",
    "pkwy",
    "highway",
    "hwy",
    "square",
    "sq",
    "circle",
    "cir",
    "trail",
    "trl",
    "gardens",
    "grove",
    "row",
    "mews",
    "walk",
    "green",
    "hill",
    "heights",
    "view",
    "vale",
    "rise",
    "parade",
    "pike",
    "alley",
    "loop",
    "plaza",
    "expressway",
    "freeway",
    "turnpike",
)
# Suffixes that are also everyday words ("in one simple way", "a five star place"): after them
# the street name must be capitalized ("3 Elm Way") or an address word must come first.
AMBIGUOUS_SUFFIXES: frozenset[str] = frozenset(
    "way place row walk green hill heights view vale rise close court square circle loop "
    "gardens grove mews parade path alley plaza terrace trail pike".split()
)
UNIT_WORDS: tuple[str, ...] = ("apartment", "apt", "unit", "suite", "ste", "flat", "floor", "fl")
DIRECTIONS: tuple[str, ...] = (
    "north",
    "south",
    "east",
    "west",
    "n",
    "s",
    "e",
    "w",
    "ne",
    "nw",
    "se",
    "sw",
)
# Words that cannot be part of a street name: they show the number is a count, not a house.
STREET_STOPWORDS: frozenset[str] = frozenset(
    (
        "the a an of on in at to for from by with and or but my your our their his her its is "
        "are was were be been it that this these those i you we they he she me us them down up "
        "off over under into onto out about than then so just more less times days weeks months "
        "years hours minutes seconds items dollars pounds euros business working calls orders "
        "way ways different other same new old last next per each every all any some no not "
        "minute hour day week month year mile block door step star time hard test car bus "
        "train more extra whole full"
    ).split()
)
