"""Extract stage 'time' (placeholder until the stage lands: adds nothing)."""
from .. import ArticleContext, register_stage


@register_stage("time")
def time_stage(ctx: ArticleContext) -> None:
    return None
