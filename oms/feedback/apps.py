from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FeedbackConfig(AppConfig):
    name = "oms.feedback"
    label = "feedback"
    verbose_name = _("客户之声")

    def ready(self) -> None:
        from oms.engine.workflow import transition_applied
        from oms.feedback import permissions
        from oms.feedback.actions import on_order_closed
        from oms.web.context_processors import MENU

        transition_applied.connect(on_order_closed, dispatch_uid="feedback.on_order_closed")
        title = _("客户之声")
        if all(section[0] != title for section in MENU):
            MENU.insert(
                len(MENU) - 1,  # before the audit section
                (
                    title,
                    [
                        (_("客户投诉"), "feedback:complaint_list", lambda u: True),
                        (_("满意度调查"), "feedback:survey_list", permissions.can_see_surveys),
                        (_("订单评价"), "feedback:invitation_list", permissions.can_see_surveys),
                        (_("改进措施"), "feedback:action_list", lambda u: True),
                        (_("调查问题"), "feedback:question_list", permissions.can_edit_questions),
                    ],
                ),
            )
