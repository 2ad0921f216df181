"""Outlet names from URL hosts.

`KNOWN_HOSTS` maps the registrable host of some widely read news sites to the
name the outlet uses for itself. It is deliberately small and general; a host
that is not in it gives its bare host name ("www.example.co.uk" ->
"example.co.uk"), which is still a stable key for grouping by outlet.
Subdomains are looked up through their parents ("en.wikinews.org" finds
"wikinews.org").
"""
from __future__ import annotations

from typing import Optional
from urllib.parse import urlsplit

KNOWN_HOSTS: dict[str, str] = {
    # wire services and public broadcasters
    "apnews.com": "Associated Press",
    "reuters.com": "Reuters",
    "bbc.co.uk": "BBC News",
    "bbc.com": "BBC News",
    "npr.org": "NPR",
    "pbs.org": "PBS",
    "dw.com": "Deutsche Welle",
    "france24.com": "France 24",
    "aljazeera.com": "Al Jazeera",
    "abc.net.au": "ABC News (Australia)",
    "cbc.ca": "CBC News",
    "voanews.com": "Voice of America",
    "rferl.org": "Radio Free Europe/Radio Liberty",
    "euronews.com": "Euronews",
    "nhk.or.jp": "NHK",
    # newspapers and magazines
    "nytimes.com": "The New York Times",
    "washingtonpost.com": "The Washington Post",
    "wsj.com": "The Wall Street Journal",
    "theguardian.com": "The Guardian",
    "ft.com": "Financial Times",
    "economist.com": "The Economist",
    "latimes.com": "Los Angeles Times",
    "usatoday.com": "USA Today",
    "politico.com": "Politico",
    "politico.eu": "Politico Europe",
    "thehill.com": "The Hill",
    "axios.com": "Axios",
    "independent.co.uk": "The Independent",
    "telegraph.co.uk": "The Daily Telegraph",
    "thetimes.co.uk": "The Times",
    "lemonde.fr": "Le Monde",
    "spiegel.de": "Der Spiegel",
    "scmp.com": "South China Morning Post",
    "japantimes.co.jp": "The Japan Times",
    "thehindu.com": "The Hindu",
    "timesofindia.indiatimes.com": "The Times of India",
    "haaretz.com": "Haaretz",
    "smh.com.au": "The Sydney Morning Herald",
    "theglobeandmail.com": "The Globe and Mail",
    "kyivindependent.com": "The Kyiv Independent",
    "themoscowtimes.com": "The Moscow Times",
    # broadcasters and online news
    "nbcnews.com": "NBC News",
    "cbsnews.com": "CBS News",
    "abcnews.go.com": "ABC News",
    "foxnews.com": "Fox News",
    "news.sky.com": "Sky News",
    "bloomberg.com": "Bloomberg",
    "xinhuanet.com": "Xinhua",
    "news.cn": "Xinhua",
    "tass.com": "TASS",
    "wikinews.org": "Wikinews",
}

# Host prefixes that name a rendering, not a different outlet.
GENERIC_PREFIXES: tuple[str, ...] = ("www.", "www1.", "www2.", "m.", "mobile.", "amp.", "edition.", "beta.")


def host_of(url: Optional[str]) -> Optional[str]:
    """The lower-case host of a URL without "www."-style prefixes, or None."""
    if not url:
        return None
    try:
        host = urlsplit(url if "//" in url else "//" + url).hostname
    except ValueError:
        return None
    if not host or "." not in host:
        return None
    host = host.lower().rstrip(".")
    changed = True
    while changed:
        changed = False
        for prefix in GENERIC_PREFIXES:
            if host.startswith(prefix) and host.count(".") > 1:
                host, changed = host[len(prefix):], True
    return host


def outlet_from_url(url: Optional[str]) -> Optional[str]:
    """The outlet for a URL: a known name, else the bare host."""
    host = host_of(url)
    if not host:
        return None
    labels = host.split(".")
    for i in range(len(labels) - 1):
        name = KNOWN_HOSTS.get(".".join(labels[i:]))
        if name:
            return name
    return host
