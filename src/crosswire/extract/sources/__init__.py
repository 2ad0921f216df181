"""Extract stage 'sources' (placeholder until the stage lands: adds nothing)."""
from .. import ArticleContext, register_stage


@register_stage("sources")
def sources_stage(ctx: ArticleContext) -> None:
    return None
