"""crosswire: news articles to a deduplicated, source-attributed record of
political events, with the sentence behind every field."""
from .config import Settings
from .pipeline import Pipeline, Results
from .records import Article, ArticleResult, Event, EventMention, Quote, Story

__all__ = ["Pipeline", "Results", "Settings", "Article", "ArticleResult", "Event", "EventMention",
           "Quote", "Story"]
__version__ = "0.1.0"
