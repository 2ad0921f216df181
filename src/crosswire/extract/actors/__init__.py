"""Extract stage 'actors' (placeholder until the stage lands: adds nothing)."""
from .. import ArticleContext, register_stage


@register_stage("actors")
def actors_stage(ctx: ArticleContext) -> None:
    return None
