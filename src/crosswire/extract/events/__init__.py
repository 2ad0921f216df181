"""Extract stage 'events' (placeholder until the stage lands: adds nothing)."""
from .. import ArticleContext, register_stage


@register_stage("events")
def events_stage(ctx: ArticleContext) -> None:
    return None
