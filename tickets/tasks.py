"""Background jobs of the support flow, run by django-q2."""

from tickets import notifications, services


def send_notification(notification_id: int) -> bool:
    return notifications.send(notification_id)


def send_due_notifications() -> int:
    return notifications.send_due()


def abandon_stale_contact_sessions() -> int:
    return services.contact_sessions_abandon()


def mine_knowledge_base_gaps() -> dict:
    from tickets.gaps.mining import mine_gaps

    return mine_gaps().as_dict()


def send_weekly_backlog_report() -> int:
    from tickets.backlog.reports import weekly_report_send

    return weekly_report_send()


def check_service_levels() -> dict:
    return services.slas_check()
