"""Convert PETRARCH2's Phoenix actor and agent dictionaries (MIT) into the
compact lookup table the actors stage loads (src/crosswire/data/actors/).

    .venv/bin/python scripts/build_actor_tables.py [--phoenix DIR]

Why a build step: the Phoenix files are 2 MB of TABARI-formatted text with
synonym blocks, macros and date-ranged codes; parsing them at every start would
cost seconds. The output is one JSON file of lowercase phrase -> entry tables
that loads in well under a second. Country names come from pycountry as well.
The MIT licence of the Phoenix files is copied next to the output.
"""
from __future__ import annotations

import argparse
import json
import re
import shutil
from pathlib import Path

import pycountry

ROOT = Path(__file__).resolve().parents[1]
OUT_DIR = ROOT / "src" / "crosswire" / "data" / "actors"
DEFAULT_PHOENIX = Path(__file__).resolve().parents[2] / "shared" / "dictionaries" / "petrarch2"

# International organisations that have their own well-known identifier.
# own id -> (display name, CAMEO IGO code, aliases). The CAMEO code is the one
# in Phoenix.International.actors.txt where it gives a specific one.
IGOS: dict[str, tuple[str, str, list[str]]] = {
    "NATO": ("North Atlantic Treaty Organization", "IGOWSTNAT",
             ["nato", "north atlantic treaty organization", "north atlantic treaty organisation",
              "north atlantic alliance", "atlantic alliance"]),
    "OSCE": ("Organization for Security and Co-operation in Europe", "IGOEURSCE",
             ["osce", "organization for security and cooperation in europe",
              "organization for security and co - operation in europe",
              "organisation for security and cooperation in europe",
              "organisation for security and co - operation in europe"]),
    "EU": ("European Union", "IGOEUREEC", ["eu", "european union", "e.u.", "european commission", "brussels"]),
    "UN": ("United Nations", "IGOUNO", ["un", "u.n.", "united nations", "the united nations"]),
    "UNSC": ("UN Security Council", "IGOUNO", ["un security council", "u.n. security council",
                                               "united nations security council", "security council"]),
    "UNGA": ("UN General Assembly", "IGOUNO", ["un general assembly", "united nations general assembly",
                                               "general assembly"]),
    "UNHCR": ("UN High Commissioner for Refugees", "IGOUNOREFHCR", ["unhcr", "un refugee agency"]),
    "UNICEF": ("UNICEF", "IGOUNOKID", ["unicef", "united nations children's fund"]),
    "WHO": ("World Health Organization", "IGOUNOHLH", ["world health organization", "world health organisation"]),
    "WFP": ("World Food Programme", "IGOUNOAGR", ["wfp", "world food programme", "world food program"]),
    "IAEA": ("International Atomic Energy Agency", "IGOUNO", ["iaea", "international atomic energy agency"]),
    "AU": ("African Union", "IGOAFRAFU", ["african union", "au"]),
    "ASEAN": ("Association of Southeast Asian Nations", "IGOSEAASN",
              ["asean", "association of southeast asian nations", "association of south east asian nations"]),
    "OPEC": ("OPEC", "IGOBUSOPC", ["opec", "organization of petroleum exporting countries"]),
    "IMF": ("International Monetary Fund", "IGOWSTIMF", ["imf", "international monetary fund"]),
    "WB": ("World Bank", "IGOWSTWBK", ["world bank"]),
    "WTO": ("World Trade Organization", "IGOWSTWTO", ["wto", "world trade organization", "world trade organisation"]),
    "ICC": ("International Criminal Court", "IGOUNOJUD", ["icc", "international criminal court"]),
    "ICJ": ("International Court of Justice", "IGOUNOJUD", ["icj", "international court of justice", "world court"]),
    "ICRC": ("International Committee of the Red Cross", "NGOHLHIRC",
             ["icrc", "red cross", "international committee of the red cross"]),
    "OAS": ("Organization of American States", "IGOWSTOAS", ["oas", "organization of american states"]),
    "GCC": ("Gulf Cooperation Council", "IGOMEAGCC", ["gcc", "gulf cooperation council"]),
    "ARAB_LEAGUE": ("Arab League", "IGOARBALE", ["arab league", "league of arab states"]),
    "CIS": ("Commonwealth of Independent States", "IGOCIS", ["commonwealth of independent states"]),
    "CSTO": ("Collective Security Treaty Organization", "IGOCIS", ["csto", "collective security treaty organization"]),
    "SCO": ("Shanghai Cooperation Organisation", "IGOASA", ["shanghai cooperation organisation",
                                                           "shanghai cooperation organization"]),
    "ECOWAS": ("Economic Community of West African States", "IGOWAFWAS",
               ["ecowas", "economic community of west african states"]),
    "G7": ("Group of Seven", "IGOWST", ["g7", "g - 7", "group of seven"]),
    "G20": ("Group of Twenty", "IGO", ["g20", "g - 20", "group of 20", "group of twenty"]),
    "COE": ("Council of Europe", "IGOEUR", ["council of europe"]),
    "OIC": ("Organisation of Islamic Cooperation", "IGOMOS", ["organisation of islamic cooperation",
                                                             "organization of islamic cooperation"]),
    "INTERPOL": ("Interpol", "IGO", ["interpol"]),
    "EC": ("European Community", "IGOEUREEC", ["european community", "european common market", "common market",
                                              "european economic community", "eec"]),
    "OAU": ("Organization of African Unity", "IGOAFRAFU", ["oau", "organization of african unity",
                                                          "organisation of african unity"]),
    "ILO": ("International Labour Organization", "IGOUNOLAB", ["ilo", "international labor office",
                                                              "international labour office",
                                                              "international labor organization",
                                                              "international labour organization"]),
    "RED_CRESCENT": ("Red Crescent", "NGOHLHIRC", ["red crescent"]),
}

# Capitals and seats of government used for the government itself ("Moscow
# said", "talks between Washington and Beijing"). General world knowledge.
CAPITALS: dict[str, str] = {
    "moscow": "RUS", "washington": "USA", "beijing": "CHN", "kyiv": "UKR", "kiev": "UKR", "london": "GBR",
    "paris": "FRA", "berlin": "DEU", "tokyo": "JPN", "tehran": "IRN", "ankara": "TUR", "damascus": "SYR",
    "baghdad": "IRQ", "kabul": "AFG", "islamabad": "PAK", "new delhi": "IND", "delhi": "IND", "seoul": "KOR",
    "pyongyang": "PRK", "minsk": "BLR", "warsaw": "POL", "rome": "ITA", "madrid": "ESP", "cairo": "EGY",
    "riyadh": "SAU", "jerusalem": "ISR", "tel aviv": "ISR", "amman": "JOR", "beirut": "LBN", "tripoli": "LBY",
    "khartoum": "SDN", "nairobi": "KEN", "addis ababa": "ETH", "abuja": "NGA", "pretoria": "ZAF",
    "ottawa": "CAN", "mexico city": "MEX", "brasilia": "BRA", "buenos aires": "ARG", "caracas": "VEN",
    "havana": "CUB", "bogota": "COL", "lima": "PER", "santiago": "CHL", "canberra": "AUS", "wellington": "NZL",
    "jakarta": "IDN", "manila": "PHL", "hanoi": "VNM", "bangkok": "THA", "taipei": "TWN", "tbilisi": "GEO",
    "yerevan": "ARM", "baku": "AZE", "chisinau": "MDA", "vilnius": "LTU", "riga": "LVA", "tallinn": "EST",
    "helsinki": "FIN", "stockholm": "SWE", "oslo": "NOR", "copenhagen": "DNK", "the hague": "NLD",
    "amsterdam": "NLD", "vienna": "AUT", "bern": "CHE", "budapest": "HUN", "prague": "CZE", "bucharest": "ROU",
    "sofia": "BGR", "belgrade": "SRB", "zagreb": "HRV", "athens": "GRC", "doha": "QAT", "abu dhabi": "ARE",
    "muscat": "OMN", "sanaa": "YEM", "dhaka": "BGD", "kathmandu": "NPL", "colombo": "LKA", "naypyidaw": "MMR",
    "astana": "KAZ", "nur - sultan": "KAZ", "tashkent": "UZB", "algiers": "DZA", "rabat": "MAR", "tunis": "TUN",
    "kinshasa": "COD", "kampala": "UGA", "kigali": "RWA", "harare": "ZWE", "dublin": "IRL", "lisbon": "PRT",
    "brussels": "BEL", "ramallah": "PSE", "dushanbe": "TJK", "bishkek": "KGZ", "ulaanbaatar": "MNG",
}

# Seats of government named by their building ("the Kremlin said").
GOVERNMENT_SEATS: dict[str, tuple[str, str]] = {
    "kremlin": ("RUS", "GOV"), "the kremlin": ("RUS", "GOV"), "white house": ("USA", "GOV"),
    "the white house": ("USA", "GOV"), "pentagon": ("USA", "MIL"), "the pentagon": ("USA", "MIL"),
    "state department": ("USA", "GOV"), "downing street": ("GBR", "GOV"), "elysee": ("FRA", "GOV"),
    "élysée": ("FRA", "GOV"), "zhongnanhai": ("CHN", "GOV"), "capitol hill": ("USA", "LEG"),
    "congress": ("USA", "LEG"), "whitehall": ("GBR", "GOV"), "quai d'orsay": ("FRA", "GOV"),
    "blue house": ("KOR", "GOV"), "knesset": ("ISR", "LEG"), "bundestag": ("DEU", "LEG"),
    "duma": ("RUS", "LEG"), "state duma": ("RUS", "LEG"), "kiev government": ("UKR", "GOV"),
}

# Extra demonyms/adjectives and short names pycountry lacks.
EXTRA_COUNTRY_NAMES: dict[str, str] = {
    "us": "USA", "u.s.": "USA", "usa": "USA", "u.s.a.": "USA", "america": "USA", "american": "USA",
    "americans": "USA", "united states": "USA", "the united states": "USA", "united states of america": "USA",
    "uk": "GBR", "u.k.": "GBR", "britain": "GBR", "great britain": "GBR", "british": "GBR", "england": "GBR",
    "russia": "RUS", "russian": "RUS", "russians": "RUS", "russian federation": "RUS",
    "china": "CHN", "chinese": "CHN", "prc": "CHN", "ukraine": "UKR", "ukrainian": "UKR", "ukrainians": "UKR",
    "iran": "IRN", "iranian": "IRN", "syria": "SYR", "syrian": "SYR", "north korea": "PRK",
    "north korean": "PRK", "dprk": "PRK", "south korea": "KOR", "south korean": "KOR", "korean": "KOR",
    "taiwan": "TWN", "taiwanese": "TWN", "vietnam": "VNM", "vietnamese": "VNM", "laos": "LAO", "kampuchean": "KHM",
    "bolivia": "BOL", "venezuela": "VEN", "venezuelan": "VEN", "tanzania": "TZA", "moldova": "MDA",
    "palestine": "PSE", "palestinian": "PSE", "palestinians": "PSE", "gaza": "PSE", "west bank": "PSE",
    "israel": "ISR", "israeli": "ISR", "israelis": "ISR", "german": "DEU", "germans": "DEU", "french": "FRA",
    "turkish": "TUR", "turkey": "TUR", "türkiye": "TUR", "czech republic": "CZE", "czech": "CZE",
    "ivory coast": "CIV", "congo": "COD", "drc": "COD", "belarusian": "BLR", "belarus": "BLR",
    "georgian": "GEO", "japanese": "JPN", "indian": "IND", "pakistani": "PAK", "afghan": "AFG",
    "iraqi": "IRQ", "egyptian": "EGY", "saudi": "SAU", "saudi arabia": "SAU", "lebanese": "LBN",
    "jordanian": "JOR", "libyan": "LBY", "sudanese": "SDN", "kosovo": "XKX", "kosovar": "XKX",
    "serbian": "SRB", "serb": "SRB", "serbs": "SRB", "bosnian": "BIH", "bosnia": "BIH", "croatian": "HRV",
    "albanian": "ALB", "macedonian": "MKD", "macedonia": "MKD", "polish": "POL", "swedish": "SWE",
    "finnish": "FIN", "norwegian": "NOR", "danish": "DNK", "dutch": "NLD", "belgian": "BEL", "swiss": "CHE",
    "austrian": "AUT", "italian": "ITA", "spanish": "ESP", "portuguese": "PRT", "greek": "GRC",
    "hungarian": "HUN", "romanian": "ROU", "bulgarian": "BGR", "estonian": "EST", "latvian": "LVA",
    "lithuanian": "LTU", "canadian": "CAN", "mexican": "MEX", "brazilian": "BRA", "argentine": "ARG",
    "argentinian": "ARG", "colombian": "COL", "cuban": "CUB", "chilean": "CHL", "peruvian": "PER",
    "australian": "AUS", "nigerian": "NGA", "kenyan": "KEN", "ethiopian": "ETH", "somali": "SOM",
    "south african": "ZAF", "algerian": "DZA", "moroccan": "MAR", "tunisian": "TUN", "yemeni": "YEM",
    "qatari": "QAT", "emirati": "ARE", "uae": "ARE", "omani": "OMN", "kuwaiti": "KWT", "bahraini": "BHR",
    "indonesian": "IDN", "filipino": "PHL", "philippine": "PHL", "thai": "THA", "malaysian": "MYS",
    "burmese": "MMR", "myanmar": "MMR", "burma": "MMR", "cambodian": "KHM", "bangladeshi": "BGD",
    "sri lankan": "LKA", "nepali": "NPL", "nepalese": "NPL", "kazakh": "KAZ", "uzbek": "UZB",
    "armenian": "ARM", "azerbaijani": "AZE", "azeri": "AZE", "haitian": "HTI", "rwandan": "RWA",
    "ugandan": "UGA", "zimbabwean": "ZWE", "zambian": "ZMB", "angolan": "AGO", "mozambican": "MOZ",
    "congolese": "COD", "ghanaian": "GHA", "senegalese": "SEN", "malian": "MLI", "nigerien": "NER",
    "chadian": "TCD", "burundian": "BDI", "liberian": "LBR", "sierra leonean": "SLE", "guinean": "GIN",
    "eritrean": "ERI", "djiboutian": "DJI", "south sudan": "SSD", "irish": "IRL", "icelandic": "ISL",
    "slovak": "SVK", "slovenian": "SVN", "montenegrin": "MNE", "cypriot": "CYP", "maltese": "MLT",
    "new zealand": "NZL", "mongolian": "MNG", "tajik": "TJK", "kyrgyz": "KGZ", "turkmen": "TKM",
}

# Political parties of many countries (names, members, acronyms), for coding
# party members the Phoenix dictionaries lack ("Democrats", "a Republican",
# "Labour MP ..."). Short names match only written with two capitals or more
# ("AfD", "SNP"; not "pis"). A name several countries
# use ("Labour", "Greens", "Liberals") lists them all: the actors stage keeps
# the article's home country among them, else leaves the member uncoded.
PARTIES: dict[str, list[str]] = {
    "USA": ["democrat", "democrats", "democratic", "democratic party", "republican", "republicans", "republican party", "gop",
            "libertarian party"],
    "GBR": ["labour", "labour party", "conservative", "conservative party", "conservatives", "tory", "tories", "tory party",
            "liberal democrats", "liberal democrat", "lib dems", "lib dem", "scottish national party", "snp",
            "plaid cymru", "uk independence party", "ukip", "brexit party", "democratic unionist party", "dup",
            "green party", "greens", "sinn féin", "sinn fein"],
    "IRL": ["fianna fáil", "fianna fail", "fine gael", "sinn féin", "sinn fein", "labour", "labour party",
            "green party", "greens"],
    "AUS": ["australian labor party", "labor party", "labor", "liberal party of australia", "liberal party",
            "liberals", "nationals", "greens", "one nation"],
    "NZL": ["labour", "labour party", "national party", "greens", "nz first"],
    "CAN": ["liberal party of canada", "liberal party", "liberals", "conservative party of canada", "conservative",
            "conservative party", "conservatives", "tories", "new democratic party", "ndp", "bloc québécois",
            "bloc quebecois", "greens"],
    "DEU": ["christian democratic union", "cdu", "christian social union", "csu", "social democratic party",
            "spd", "alternative for germany", "afd", "free democratic party", "fdp", "die linke", "greens"],
    "FRA": ["la république en marche", "la republique en marche", "en marche", "les républicains",
            "les republicains", "national rally", "rassemblement national", "national front", "front national",
            "socialist party", "la france insoumise"],
    "ITA": ["five star movement", "lega", "northern league", "forza italia", "democratic party",
            "brothers of italy", "fratelli d'italia"],
    "ESP": ["psoe", "spanish socialist workers' party", "people's party", "partido popular", "podemos", "vox",
            "ciudadanos"],
    "IND": ["bharatiya janata party", "bjp", "indian national congress", "congress party", "aam aadmi party"],
    "PAK": ["pakistan tehreek - e - insaf", "pti", "pakistan muslim league", "pakistan peoples party", "ppp"],
    "JPN": ["liberal democratic party", "ldp", "komeito", "constitutional democratic party"],
    "ZAF": ["african national congress", "anc", "democratic alliance", "economic freedom fighters"],
    "RUS": ["united russia", "communist party of the russian federation"],
    "TUR": ["justice and development party", "akp", "ak party", "republican people's party", "chp", "hdp",
            "peoples' democratic party", "nationalist movement party", "mhp"],
    "ISR": ["likud", "blue and white", "yesh atid", "yisrael beiteinu", "shas"],
    "CHN": ["communist party of china", "chinese communist party", "ccp", "cpc"],
    "TWN": ["kuomintang", "kmt", "democratic progressive party", "dpp"],
    "KOR": ["democratic party of korea", "people power party", "liberty korea party"],
    "HUN": ["fidesz"],
    "POL": ["law and justice", "pis", "civic platform"],
    "NLD": ["party for freedom", "pvv", "people's party for freedom and democracy", "vvd"],
    "AUT": ["freedom party of austria", "fpö", "austrian people's party", "övp"],
    "SWE": ["sweden democrats", "social democrats", "moderate party"],
    "GRC": ["syriza", "new democracy"],
    "VEN": ["united socialist party of venezuela", "psuv"],
    "BRA": ["workers' party", "brazilian democratic movement"],
    "MEX": ["morena", "institutional revolutionary party", "national action party"],
    "UKR": ["servant of the people", "european solidarity", "batkivshchyna"],
    "BLR": ["belaya rus"],
    "HKG": ["democratic party", "dab", "democratic alliance for the betterment and progress of hong kong"],
}

# Country codes of the CAMEO era that differ from ISO 3166 alpha-3.
CAMEO_TO_ISO = {"JAP": "JPN", "ITL": "ITA", "ROM": "ROU", "ZAR": "COD", "TMP": "TLS", "SER": "SRB",
                "YUG": "SRB", "UKG": "GBR", "GMY": "DEU", "BOS": "BIH", "ANG": "AGO"}
# CAMEO region codes (Phoenix codes a group active in several countries by region).
REGION_CODES = {"MEA", "SAS", "SEA", "EAF", "WAF", "LAM", "AFR", "EUR", "ASA", "SAF", "NMR", "EEU", "CAS",
                "SAM", "NAF", "WEU", "CFR", "INT"}
# CAMEO sector codes that Phoenix sometimes gives alone ("[ELI]": an elite of the
# country the person's other codes name).
BARE_SECTORS = {"ELI", "GOV", "MIL", "OPP", "REB", "BUS", "MED", "JUD", "LEG", "CVL", "PTY", "COP", "SPY"}

# Multi-word names that are ambiguous as countries when lowercased, or common words.
SKIP_COUNTRY_KEYS = {"chad", "jordan", "georgia", "turkey", "guinea", "niger", "china", "mali", "may", "us",
                     "nice", "man", "reunion", "martinique", "jersey", "guernsey", "victoria", "vienna"}

MACRO = re.compile(r"!([A-Z]+)!")
CODE = re.compile(r"\[([^\]]*)\]")


# Acronym keys taken from brackets: matched only when written in capitals
# ("LeT" / "LET" the group, "Let" the verb; "DAWN" the network, "Dawn" the name).
UPPERCASE_ONLY: set[str] = set()
PARENTHETICAL = re.compile(r"\s*\(([^)]*)\)\s*")


def phrase_keys(raw: str) -> list[str]:
    """Keys of one Phoenix name. 'LIBERATION_TIGERS_OF_TAMIL_EELAM_(LTTE)_'
    is the full name with its acronym in brackets: text never writes the
    brackets right after the name, so the name alone and the acronym are
    the keys (the bracketed phrase as written is kept too)."""
    keys = [norm_phrase(raw)]
    inner = PARENTHETICAL.search(raw.replace("_", " "))
    if inner:
        bare = norm_phrase(PARENTHETICAL.sub(" ", raw.replace("_", " ")))
        if len(bare.split()) >= 2:
            keys.append(bare)
        acronym = inner.group(1).strip()
        if is_acronym_of(acronym, bare):
            keys.append(acronym.lower())
            UPPERCASE_ONLY.add(acronym.lower())
    return [k for k in keys if k]


def is_acronym_of(acronym: str, name: str) -> bool:
    """'LTTE' for 'liberation tigers of tamil eelam', not the qualifier in
    'SAMOA_(AMERICAN)' or 'DIRECT_ACTION_(GREECE)'."""
    words = name.split()
    return (acronym.isalpha() and acronym.isupper() and 3 <= len(acronym) <= len(words) + 1
            and acronym[0].lower() == name[:1])


def norm_phrase(raw: str) -> str:
    """Phoenix/TABARI phrase -> the lowercase, space-tokenised key the stage
    builds from spaCy tokens ("NATO-RUSSIA" -> "nato - russia")."""
    text = raw.strip().strip("_").replace("_", " ").lower()
    text = re.sub(r"\s*-\s*", " - ", text)
    text = re.sub(r"'s\b", " 's", text)
    return " ".join(text.split())


def parse_date(text: str, end: bool = False) -> str:
    """TABARI dates are YYMMDD or YYYYMMDD; return ISO."""
    text = text.strip()
    if len(text) == 6:
        yy = int(text[:2])
        year = 1900 + yy if yy >= 30 else 2000 + yy
        return f"{year:04d}-{text[2:4]}-{text[4:6]}"
    if len(text) == 8:
        return f"{text[:4]}-{text[4:6]}-{text[6:8]}"
    return "9999-12-31" if end else "0001-01-01"


def parse_codes(text: str) -> list[list]:
    """'[RUSGOV >20040309][RUS 940922-040712]' -> [[code, start, end], ...]."""
    out = []
    for body in CODE.findall(text):
        parts = body.split()
        if not parts:
            continue
        code = parts[0].lstrip("~")
        start, end = None, None
        if len(parts) > 1:
            rng = parts[1]
            if rng.startswith(">"):
                start = parse_date(rng[1:])
            elif rng.startswith("<"):
                end = parse_date(rng[1:], end=True)
            elif "-" in rng:
                a, b = rng.split("-", 1)
                start, end = parse_date(a), parse_date(b, end=True)
        if code and code != "---":
            out.append([code, start, end])
    return out


def read_blocks(path: Path) -> list[dict]:
    """Blocks of a Phoenix .actors file: names (primary + '+' synonyms) and codes."""
    blocks: list[dict] = []
    current = None
    for raw in path.read_text(encoding="utf-8", errors="replace").splitlines():
        line = raw.split("#", 1)[0].rstrip()
        if not line.strip():
            continue
        if raw[:1] in "\t " and "[" in line:
            if current is not None:
                current["codes"].extend(parse_codes(line))
            continue
        name_part = line.split("[", 1)[0].strip()
        codes = parse_codes(line)
        if line.lstrip().startswith("+"):
            if current is not None:
                current["names"].append(name_part.lstrip("+"))
                if codes and not current["codes"]:
                    current["codes"].extend(codes)
            continue
        current = {"names": [name_part], "codes": codes}
        blocks.append(current)
    return blocks


def split_code(code: str) -> tuple[str, str]:
    """'RUSGOV' -> ('RUS', 'GOV'); 'IGOWSTNAT' -> ('IGOWSTNAT', '')."""
    if code.startswith(("IGO", "NGO", "MNC")):
        return code, ""
    country = CAMEO_TO_ISO.get(code[:3], code[:3])
    return country, code[3:6]


ROMAN_NUMERALS = re.compile(r"^(?=[ivx]+$)x{0,3}(ix|iv|v?i{0,3})$")  # regnal numbers: "Elizabeth II"


def title_case_name(key: str) -> str:
    """Display name of a lower-case dictionary key: words capitalised, short
    function words kept low, regnal numbers in capitals ("Abdullah II", "Carl
    XVI Gustaf"; a two-letter one only last, as "Iv" and "Ii" inside a name
    are often names themselves)."""
    words = key.split()
    return " ".join(w if w in {"of", "the", "and", "for", "in"} else w.upper() if regnal_number(words, k)
                    else w.capitalize() for k, w in enumerate(words))


def regnal_number(words: list[str], k: int) -> bool:
    return k > 0 and bool(ROMAN_NUMERALS.match(words[k])) and (k == len(words) - 1 or len(words[k]) >= 3)


def build_countries(countries_file: Path) -> tuple[dict, dict, dict]:
    """Country names/adjectives, country-level organisations and people."""
    countries: dict[str, str] = {}
    orgs: dict[str, list] = {}
    people: dict[str, dict] = {}
    for block in read_blocks(countries_file):
        codes = block["codes"]
        if not codes:
            continue
        keys = [k for n in block["names"] for k in phrase_keys(n)]
        dated = any(c[1] or c[2] for c in codes)
        first = codes[0][0]
        if len(first) == 3 and not dated and first.isalpha():
            iso = CAMEO_TO_ISO.get(first, first)
            for k in keys:
                countries.setdefault(k, iso)
        elif dated or _looks_like_person(keys):
            add_person(people, keys, codes)
        else:
            country, sector = split_code(first)
            for k in keys:
                orgs.setdefault(k, [country, sector])
    for c in pycountry.countries:
        for attr in ("name", "common_name", "official_name"):
            val = getattr(c, attr, None)
            if val:
                countries.setdefault(norm_phrase(val), c.alpha_3)
    for k, v in EXTRA_COUNTRY_NAMES.items():
        countries[norm_phrase(k)] = v
    add_plural_demonyms(countries)
    for k in list(countries):
        if k in SKIP_COUNTRY_KEYS and k not in EXTRA_COUNTRY_NAMES:
            # keep capitalised-only use: the stage checks case for these
            pass
    return countries, orgs, people


def add_plural_demonyms(countries: dict[str, str]) -> None:
    """'Algerians', 'Iraqis', 'Nigerians': the Phoenix file lists demonyms
    mostly in the singular (TABARI matched stems), so the plural of every
    one-word demonym in -an or -i is added ("Algerian" -> "algerians").
    Country names themselves ("iran", "oman") are left alone."""
    names = {norm_phrase(getattr(c, a)) for c in pycountry.countries
             for a in ("name", "common_name", "official_name") if getattr(c, a, None)}
    for key, iso in list(countries.items()):
        if " " in key or key in names or not key.isalpha() or len(key) < 4:
            continue
        if key.endswith(("an", "i")) and key + "s" not in countries:
            countries[key + "s"] = iso


def _looks_like_person(keys: list[str]) -> bool:
    return False


def add_person(people: dict, keys: list[str], codes: list[list]) -> None:
    """One entry per person: canonical name, aliases, date-ranged codes."""
    name = title_case_name(keys[0])
    pid = "p:" + keys[0]
    entry = people.setdefault(pid, {"name": name, "codes": []})
    for c in codes:
        country, sector = split_code(c[0])
        entry["codes"].append([country, sector, c[1], c[2], c[0]])
    inherit_country(entry["codes"])
    entry.setdefault("aliases", [])
    for k in keys:
        if k not in entry["aliases"]:
            entry["aliases"].append(k)


# Words Phoenix sometimes files in front of a person's name ("QUEEN_ELIZABETH_II", "SIR_HOWARD_COOKE").
HONORIFICS = {"queen", "king", "prince", "princess", "sir", "dame", "lady", "lord", "sheikh", "shaikh", "sultan",
              "emir", "amir", "president", "pope"}


def merge_titled_people(people: dict) -> int:
    """A titled entry whose bare name (two words or more) is itself an entry
    names the same person: its aliases join the bare entry and its codes are
    dropped. Phoenix files some people twice, the titled copy under another
    country's heads of state ("Queen Elizabeth II" under Saint Kitts and Nevis,
    "Elizabeth II" under the United Kingdom); the bare name is the entry filed
    under the person's own name. Returns how many entries were merged."""
    merged = 0
    for pid in sorted(people):
        words = pid[2:].split()
        bare = "p:" + " ".join(words[1:])
        if len(words) < 3 or words[0] not in HONORIFICS or bare not in people:
            continue
        target = people[bare]
        for alias in people.pop(pid)["aliases"]:
            if alias not in target["aliases"]:
                target["aliases"].append(alias)
        merged += 1
    return merged


def inherit_country(codes: list[list]) -> None:
    """'[IGOUNO 970101-061231] [ELI]', '[CIVGOV >001026] [CIVELI]': a code
    with no country ("ELI" alone) is the person's standing outside the dated
    offices; it belongs to the country or IGO of the person's other codes
    (the latest dated one), not to a country called "ELI"."""
    countried = [c for c in codes if c[0] not in BARE_SECTORS]
    if not countried:
        return
    home = max(countried, key=lambda c: (c[2] or c[3] or ""))
    for c in codes:
        if c[0] in BARE_SECTORS:
            c[1], c[4] = c[0], home[0] + (c[0] if not home[0].startswith(("IGO", "NGO")) else "")
            c[0] = home[0]


def country_of_region_orgs(orgs: dict, countries: dict) -> None:
    """'Palestinian Islamic Jihad' is coded MEAREB (a Middle East group) in
    Phoenix; a name that carries a country's name or adjective belongs to
    that country, which is what event coders record."""
    for key, value in orgs.items():
        if value[0] not in REGION_CODES:
            continue
        words = key.split()
        for n in (3, 2, 1):
            hits = {countries[" ".join(words[i:i + n])] for i in range(len(words) - n + 1)
                    if " ".join(words[i:i + n]) in countries and " ".join(words[i:i + n]) not in SKIP_COUNTRY_KEYS}
            if len(hits) == 1:
                value[0] = hits.pop()
                break
            if hits:
                break


def build_international(intl_file: Path, people: dict) -> dict:
    """International organisations (CAMEO IGO/NGO codes) and their officials."""
    orgs: dict[str, str] = {}
    for block in read_blocks(intl_file):
        codes = block["codes"]
        if not codes:
            continue
        keys = [k for n in block["names"] for k in phrase_keys(n)]
        if any(c[1] or c[2] for c in codes):
            add_person(people, keys, codes)
            continue
        for k in keys:
            orgs.setdefault(k, codes[0][0])
    return orgs


def build_agents(agents_file: Path) -> dict[str, str]:
    """Agent phrases (titles, groups) -> sector code, macros expanded."""
    macros: dict[str, list[str]] = {}
    agents: dict[str, str] = {}
    for raw in agents_file.read_text(encoding="utf-8", errors="replace").splitlines():
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        m = re.match(r"!([A-Z]+)!\s*=\s*(.+)", line)
        if m:
            macros[m.group(1)] = [w.strip() for w in m.group(2).split(",")]
            continue
        codes = parse_codes(line)
        if not codes:
            continue
        phrase = line.split("[", 1)[0].split("{", 1)[0].strip()
        no_plural = "{}" in line
        sector = codes[0][0][:3]
        for variant in expand_macros(phrase, macros):
            key = norm_phrase(variant)
            if not key:
                continue
            agents.setdefault(key, sector)
            if not no_plural and not key.endswith("s"):
                agents.setdefault(key + "s", sector)
    return agents


def expand_macros(phrase: str, macros: dict[str, list[str]]) -> list[str]:
    m = MACRO.search(phrase)
    if not m:
        return [phrase]
    out = []
    for word in macros.get(m.group(1), [m.group(1)]):
        out.extend(expand_macros(phrase[:m.start()] + word + phrase[m.end():], macros))
    return out


def build_igos(intl_orgs: dict[str, str]) -> dict[str, list]:
    table = {}
    for own, (name, cameo, aliases) in IGOS.items():
        for alias in aliases:
            table[norm_phrase(alias)] = [own, name, cameo]
    return table


def build_parties() -> dict[str, list[str]]:
    """Party phrase (as the stage tokenises it) -> the countries whose party it names."""
    table: dict[str, list[str]] = {}
    for iso, names in PARTIES.items():
        for name in names:
            countries = table.setdefault(norm_phrase(name), [])
            if iso not in countries:
                countries.append(iso)
    return table


def build_subdivisions() -> dict[str, list[str]]:
    """ISO 3166-2 subdivision names (states, provinces, regions) -> the
    countries that have one so named: "georgia" -> ["USA"] (the country
    Georgia is in the countries table), "punjab" -> ["IND", "PAK"]."""
    table: dict[str, list[str]] = {}
    for sub in pycountry.subdivisions:
        country = pycountry.countries.get(alpha_2=sub.country_code)
        name = re.sub(r"\s*\[.*?\]", "", sub.name).split(";")[0]
        key = norm_phrase(name)
        if country is None or not key:
            continue
        countries = table.setdefault(key, [])
        if country.alpha_3 not in countries:
            countries.append(country.alpha_3)
    return table


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--phoenix", type=Path, default=DEFAULT_PHOENIX)
    ap.add_argument("--out", type=Path, default=OUT_DIR)
    args = ap.parse_args()
    countries, orgs, people = build_countries(args.phoenix / "Phoenix.Countries.actors.txt")
    intl = build_international(args.phoenix / "Phoenix.International.actors.txt", people)
    merge_titled_people(people)
    _, armed, _ = build_countries(args.phoenix / "Phoenix.MilNonState.actors.txt")
    for key, value in armed.items():
        orgs.setdefault(key, value)
    country_of_region_orgs(orgs, countries)
    agents = build_agents(args.phoenix / "Phoenix.agents.txt")
    tables = {
        "about": "Built by scripts/build_actor_tables.py from PETRARCH2 Phoenix dictionaries (MIT) and pycountry.",
        "countries": countries,
        "capitals": {norm_phrase(k): v for k, v in CAPITALS.items()},
        "seats": {norm_phrase(k): list(v) for k, v in GOVERNMENT_SEATS.items()},
        "igos": build_igos(intl),
        "international": intl,
        "orgs": orgs,
        "agents": agents,
        "people": people,
        "parties": build_parties(),
        "subdivisions": build_subdivisions(),
        "ambiguous_lowercase": sorted(SKIP_COUNTRY_KEYS),
        "uppercase_only": sorted(UPPERCASE_ONLY),
    }
    args.out.mkdir(parents=True, exist_ok=True)
    out = args.out / "actors.json"
    out.write_text(json.dumps(tables, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
    shutil.copy(args.phoenix / "LICENSE", args.out / "LICENSE-petrarch2-MIT.txt")
    print(f"wrote {out} ({out.stat().st_size // 1024} KiB): {len(countries)} country keys, {len(orgs)} orgs, "
          f"{len(intl)} international, {len(agents)} agents, {len(people)} people")


if __name__ == "__main__":
    main()
