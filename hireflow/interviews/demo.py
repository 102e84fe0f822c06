"""Demo data of the AI interview: a company FAQ for candidates, and a scored interview.

``add_demo(session, tenant)`` is idempotent. It adds FAQ entries (Chinese and English) and, for
each AI invitation the scheduling demo made, an interview answered by text, submitted and
scored, so HR's list, report, radar chart and the candidate's record are not empty on a fresh
demo. Run it after the scheduling demo.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from hireflow.core.db import Database, get_database
from hireflow.interviews import schemas, service
from hireflow.interviews.models import CompanyFaq, InterviewSession
from hireflow.org.models import Tenant
from hireflow.scheduling.models import Invitation

FAQS = (
    (
        "晋升路径是怎样的？",
        "每年4月和10月各有一次晋升评审，由直属经理提名、评审委员会评审；工程师职级从P4到P8。",
        "zh-CN",
    ),
    (
        "工作时间和加班",
        "标准工时为周一至周五 9:30–18:30，午休 1.5 小时；加班按国家规定调休或支付加班费。",
        "zh-CN",
    ),
    ("试用期多久？", "试用期为 3 个月，试用期工资为正式工资的 100%。", "zh-CN"),
    (
        "What benefits do you offer?",
        "Health insurance for you and your family, 15 days of paid leave and an annual "
        "learning budget.",
        "en",
    ),
)
TAB = "demo-tab-00000001"
ANSWERS = {
    "zh": (
        "在上一家公司，我负责的订单服务在大促时经常超时。我先分析了慢查询日志，发现是缓存失效导致数据库压力过大，"
        "于是重新设计了缓存预热和限流策略，并和测试同事做了三轮压测。上线后高峰期响应时间从三秒降到三百毫秒，"
        "全年没有再出现大促故障。"
    ),
    "en": (
        "In my last job our order service timed out during every sales peak. I analysed the "
        "slow-query log, found that cache expiry overloaded the database, redesigned cache "
        "warm-up and rate limiting, and ran three rounds of load tests with QA. Peak response "
        "time fell from three seconds to 300 ms and we had no incident all year."
    ),
}


def add_demo(session: Session, tenant: Tenant, database: Database | None = None) -> None:
    """FAQ entries, and a scored interview for each AI invitation of the demo (idempotent)."""
    if not session.scalars(select(CompanyFaq.id).where(CompanyFaq.tenant_id == tenant.id)).first():
        session.add_all(
            CompanyFaq(tenant_id=tenant.id, question=q, answer=a, language=lang)
            for q, a, lang in FAQS
        )
        session.commit()
    invitations = session.scalars(
        select(Invitation).where(
            Invitation.tenant_id == tenant.id,
            Invitation.kind == "ai",
            Invitation.status.in_(("sending", "sent", "opened", "verified")),
        )
    ).all()
    for invitation in invitations:
        # sending prepares the interview (its plan frozen): take the demo's through it once
        status = session.scalars(
            select(InterviewSession.status).where(InterviewSession.invitation_id == invitation.id)
        ).first()
        if status not in (None, "invited"):
            continue
        invitation.verified_at = invitation.verified_at or invitation.sent_at
        session.commit()
        interview = service.ensure_session(session, invitation)
        service.give_consent(
            session,
            interview,
            schemas.ConsentIn(
                tab=TAB, recording=True, ai_assessment=True, notice_version=service.NOTICE_VERSION
            ),
        )
        text = ANSWERS.get(interview.language, ANSWERS["en"])
        for question in service.questions_of(interview):
            service.open_question(session, interview, question["id"], TAB)
            service.save_text(
                session,
                interview,
                question["id"],
                schemas.TextAnswerIn(tab=TAB, text=text, final=True),
            )
        service.submit(session, interview, TAB)
        service.score(database or get_database(), interview.id)
