"""The backlog figures as JSON (API and `backlog_report --json`) and as text (weekly e-mail)."""

from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.utils import timezone

from tickets import groups
from tickets.backlog import metrics
from tickets.gaps.product_signals import product_signal_counts


def _hours(value: timedelta | None) -> float | None:
    return None if value is None else round(value.total_seconds() / 3600, 2)


def summary_to_dict(summary: dict) -> dict:
    """Plain JSON types only; durations in hours."""
    zombies = summary["zombies"]
    return {
        "generated_at": summary["generated_at"].isoformat(),
        "by": summary["by"],
        "segment": (
            {"field": summary["segment"].field, "value": summary["segment"].value}
            if summary["segment"]
            else None
        ),
        "verdict": summary["verdict"],
        "flow": [
            {
                "period_start": row["period"].start.isoformat(),
                "period_end": row["period"].end.isoformat(),
                **{key: row[key] for key in ("intake", "burn", "reopened", "net", "backlog")},
            }
            for row in summary["flow"]
        ],
        "age": {
            "open": summary["age"]["open"],
            "buckets": {key: n for key, _label, n in summary["age"]["buckets"]},
            "median_hours": _hours(summary["age"]["median"]),
            "p90_hours": _hours(summary["age"]["p90"]),
        },
        "zombies": {
            "count": zombies.count(),
            "tickets": [
                {
                    "reference": t.reference,
                    "subject": t.subject,
                    "created_at": t.created_at.isoformat(),
                    "assignee": t.assignee.email if t.assignee else None,
                    "waiting_on_team": t.waiting_on_team.name if t.waiting_on_team else None,
                }
                for t in zombies[:50]
            ],
            "waiting_on": summary["zombie_waits"],
        },
        "segments": {
            name: summary["segments"][name]
            for name in ("category", "priority", "tier", "top_categories")
        },
        "service_times": {
            name: {
                "count": times["count"],
                "median_hours": _hours(times["median"]),
                "p90_hours": _hours(times["p90"]),
            }
            for name, times in summary["service_times"].items()
        },
        "sla": summary["sla"],
        "pages": summary["pages"],
        "auto_category": summary["auto_category"],
        "deflection": {
            "rate": summary["deflection"]["rate"],
            "deflected": summary["deflection"]["deflected"],
            "tickets_filed": summary["deflection"]["filed"],
            "by_period": [
                {
                    "period_start": row["period"].start.isoformat(),
                    "deflected": row["deflected"],
                    "tickets_filed": row["filed"],
                    "rate": row["rate"],
                }
                for row in summary["deflection"]["rows"]
            ],
            "top_articles": [
                {
                    "id": row["deflected_by"],
                    "title": row["deflected_by__title"],
                    "deflections": row["n"],
                }
                for row in summary["deflection"]["top_articles"]
            ],
            "failed_searches": summary["deflection"]["failed_searches"],
        },
        "satisfaction": _satisfaction_to_dict(summary["satisfaction"]),
        "answers_after_filing": _answers_to_dict(summary["answers_after_filing"]),
        "trend": _trend_to_dict(summary["trend"]),
        "handoffs": summary["handoffs"],
    }


def _trend_to_dict(trend) -> dict:
    return {
        "kind": trend.kind,
        "sentence": trend.sentence,
        "usual_high": trend.usual_high,
        "days_above": trend.days_above,
        "growth_weeks": trend.growth_weeks,
        "drivers": [
            {"category": d.category, "recent": d.recent, "usual": round(d.usual, 2)}
            for d in trend.drivers
        ],
    }


def _answers_to_dict(answers: dict) -> dict:
    return {
        "offered": answers["offered"],
        "accepted": answers["accepted"],
        "declined": answers["declined"],
        "acceptance_rate": answers["rate"],
        "agent_hours_saved": _hours(answers["time_saved"]),
        "median_handling_hours": _hours(answers["median_handling"]),
        "by_period": [
            {
                "period_start": row["period"].start.isoformat(),
                "offered": row["offered"],
                "accepted": row["accepted"],
                "acceptance_rate": row["rate"],
                "agent_hours_saved": _hours(row["time_saved"]),
            }
            for row in answers["rows"]
        ],
        "top_articles": [
            {"id": row["article"], "title": row["title"], "accepted": row["n"]}
            for row in answers["top_articles"]
        ],
    }


def _satisfaction_to_dict(csat: dict) -> dict:
    return {
        "rate": csat["rate"],
        "good": csat["good"],
        "bad": csat["bad"],
        "by_period": [
            {
                "period_start": row["period"].start.isoformat(),
                "good": row["good"],
                "bad": row["bad"],
                "rate": row["rate"],
            }
            for row in csat["rows"]
        ],
        "by_agent": csat["by_agent"],
        "by_category": csat["by_category"],
    }


def report_text(summary: dict) -> str:
    now = summary["generated_at"]
    # The product team's figure is the week's, whatever range the backlog figures cover.
    signals = product_signal_counts(since=now - timedelta(days=7), until=now)
    return render_to_string(
        "tickets/email/weekly_report.txt", {"summary": summary, "signals": signals}
    )


def weekly_report_send(*, now=None) -> int:
    """E-mail the week's figures and zombies to every active Support manager; returns recipients."""
    recipients = list(
        get_user_model()
        .objects.filter(groups__name=groups.MANAGERS, is_active=True)
        .exclude(email="")
        .values_list("email", flat=True)
        .distinct()
    )
    if not recipients:
        return 0
    summary = metrics.backlog_summary(weeks=12, now=now or timezone.now())
    EmailMessage(
        subject=f"[{settings.WAGTAIL_SITE_NAME}] {summary['verdict']}"[:200],
        body=report_text(summary),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=recipients,
    ).send()
    return len(recipients)
