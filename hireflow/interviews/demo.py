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
from hireflow.interviews import candidate, pipeline, schemas, sessions
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
# One different answer per question (an interview that pastes one text everywhere is flagged
# and credited once), the plan's questions taking them in turn; the closing question gets a
# question back.
ANSWERS = {
    "zh": (
        "在上一家公司，我负责的订单服务在大促时经常超时。我先分析了慢查询日志，发现是缓存失效导致数据库压力过大，"
        "于是重新设计了缓存预热和限流策略，并和测试同事做了三轮压测。上线后高峰期响应时间从三秒降到三百毫秒，"
        "全年没有再出现大促故障。",
        "去年产品和运营对新功能的上线时间有分歧，双方在群里争了一周。我约两边各出一人开了半小时的会，"
        "把各自的顾虑写在白板上，发现运营担心的是客服培训来不及。我提议先灰度百分之十的用户，同时准备客服话术。"
        "最后功能按期上线，客服咨询量只比平时多了百分之五。",
        "我曾经接手一个没有文档的老系统，两周内要修一个计费错误。我每天花一小时读代码，画出了调用关系图，"
        "并请原作者做了一次四十分钟的讲解。第九天我定位到问题并修复，之后把关系图整理成文档，"
        "后来新同事上手时间从三周缩短到一周。",
        "有一位客户因为发票开错非常生气，在电话里要求退款。我先道歉并复述了他的问题，当场查到是模板配置错误，"
        "半小时内重新开具了发票并快递给他，又检查了同一模板下的另外十二张发票。客户后来续签了一年的合同。",
        "我选择贵公司，是因为你们的产品服务中小商家，这和我过去三年做的订单系统很接近。"
        "我希望在这里把稳定性工作做得更系统，未来两年带一个小团队。",
        "刚开始负责数据平台时我不会写 Spark 任务。"
        "我用两个周末学完了官方教程，又把组里最慢的一个日报任务当练习，"
        "重写了它的分区逻辑。任务运行时间从四十分钟降到六分钟，我也在组内分享了这次的笔记。",
        "有一次上线前一天发现支付回调会丢消息，而发布会时间已经定了。我先把问题拆成必须当天解决和可以延后的两部分，"
        "和两位同事分工，我负责补偿任务和告警。当晚十一点完成修复并回归测试，第二天按时发布，没有丢失一笔订单。",
        "我带过一个三人的小组做对账系统重构。我每周和每个人单独聊十五分钟，把任务按各自想锻炼的方向分配，"
        "并把评审标准写成清单。三个月后系统按时上线，对账差错从每月二十多笔降到两笔，其中一位同事后来独立负责了一个模块。",
    ),
    "en": (
        "In my last job our order service timed out during every sales peak. I analysed the "
        "slow-query log, found that cache expiry overloaded the database, redesigned cache "
        "warm-up and rate limiting, and ran three rounds of load tests with QA. Peak response "
        "time fell from three seconds to 300 ms and we had no incident all year.",
        "Last spring product and operations disagreed for a week about a launch date. I set up "
        "a half-hour meeting with one person from each side and wrote their concerns on a "
        "whiteboard; operations feared support would not be trained in time. I proposed a 10 % "
        "rollout while we prepared support scripts. We launched on time and support contacts "
        "rose only 5 %.",
        "I once took over an undocumented billing system and had two weeks to fix an error. I "
        "read the code for an hour every day, drew a call graph and asked the original author "
        "for a 40-minute walkthrough. On day nine I found and fixed the bug, then turned the "
        "graph into documentation; new colleagues now need one week to get started, not three.",
        "A customer was angry because his invoice was wrong and asked for a refund. I "
        "apologised, repeated his problem back to him, found a template error while he was on "
        "the phone, sent a corrected invoice within half an hour and checked the twelve other "
        "invoices made from the same template. He renewed his contract for another year.",
        "I applied because your product serves small merchants, close to the order systems I "
        "built for three years. I want to make reliability work more systematic here and lead a "
        "small team within two years.",
        "When I started on the data platform I could not write a Spark job. I worked through "
        "the official tutorial over two weekends, then rewrote the partitioning of our slowest "
        "daily job as practice. Its run time fell from 40 minutes to 6, and I shared my notes "
        "with the team.",
        "The day before a launch we found that payment callbacks could be lost, and the launch "
        "date was fixed. I split the problem into what had to be fixed that day and what could "
        "wait, shared the work with two colleagues and took the retry job and alerting myself. "
        "We finished and re-tested by 11 pm, launched on time and lost no order.",
        "I led a team of three rebuilding our reconciliation system. I met each person for 15 "
        "minutes a week, gave them tasks in the direction they wanted to grow and wrote the "
        "review criteria as a checklist. We shipped on time after three months, reconciliation "
        "errors fell from over twenty a month to two, and one colleague now owns a module.",
    ),
}
CLOSING = {
    "zh": "想请问一下，这个岗位入职后的第一个月主要做什么？团队现在最大的挑战是什么？",
    "en": "What would my first month in the role look like, and what is the team's biggest "
    "challenge right now?",
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
        interview = sessions.ensure_session(session, invitation)
        candidate.give_consent(
            session,
            interview,
            schemas.ConsentIn(
                tab=TAB, recording=True, ai_assessment=True, notice_version=candidate.NOTICE_VERSION
            ),
        )
        language = "zh" if interview.language.startswith("zh") else "en"
        texts = ANSWERS[language]
        for n, question in enumerate(sessions.questions_of(interview)):
            closing = "closing" in (question.get("tags") or ())
            text = CLOSING[language] if closing else texts[n % len(texts)]
            candidate.open_question(session, interview, question["id"], TAB)
            candidate.save_text(
                session,
                interview,
                question["id"],
                schemas.TextAnswerIn(tab=TAB, text=text, final=True),
            )
        candidate.submit(session, interview, TAB)
        pipeline.score(database or get_database(), interview.id)
