"""Extract stage 'quotes' (placeholder until the stage lands: adds nothing)."""
from .. import ArticleContext, register_stage


@register_stage("quotes")
def quotes_stage(ctx: ArticleContext) -> None:
    return None
