"""Demo disputes: about twenty cases in the demo community, made through the
real services (register_dispute, act, log_session, save_agreement) at
back-dated moments by the demo accounts, so that as of now every state of the
process has something in it: cases waiting to be accepted (one overdue),
mediating cases showing green, yellow and red against their time limit, a
major case under the street office's supervision, a case the committee
returned, cases waiting for the committee's review (juweihui: shequ recorded
their outcomes and may not approve them), follow-ups due and overdue on
wanggeyuan's task list, and archived cases of every ending. Then the
screening reports: the grids' zero reports (零报告) of past periods, with a
grid left missing for the current one.

The moment each registration is made is aimed at the light it must show now,
worked out from the time limits and the working calendar; the plan is checked
before anything is written and the mix again afterwards."""
from __future__ import annotations

import random
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone

from flask import current_app
from sqlalchemy import select

from grid import workdays
from grid.accounts.models import User
from grid.disputes import limits, services
from grid.disputes.agreement import AgreementInput, prefill, save_agreement
from grid.disputes.models import Dispute, Screening
from grid.disputes.screening import cadence, period_of, previous_period
from grid.disputes.workflow import STATES
from grid.events.demo import photo, points
from grid.extensions import db
from grid.places.models import Unit
from grid.registry import rules
from grid.registry.models import Household, Resident

SEED = 2026
COMMUNITY = "330199001001"
STREET = "330199001"
# Registrations and steps fall on a quarter of an office hour, 7 minutes in,
# over the last HISTORY_DAYS; where no office moment fits (a long holiday), on
# the hour (7 minutes past) of any day between 08:00 and 20:00.
HISTORY_DAYS = 90
STEP_HOURS = 0.25
OFFSET = timedelta(minutes=7)
LIGHTS = ("green", "yellow", "red")

W1, W2, GL = "wanggeyuan", "wanggeyuan2", "wanggezhang"
C, J, S = "shequ", "juweihui", "jiedao"
# Who looks after each grid: the responsible person of its cases.
GRID_WORKER = {"001": W1, "002": W2, "003": W2}

# Where the registration of a case whose clock is aimed at a light is
# preferably put, in days before now, by the clock that runs and the light.
PREFER = {
    ("accept", "green"): (0, 1), ("accept", "red"): (6, 12),
    ("mediate", "green"): (5, 15), ("mediate", "yellow"): (0, HISTORY_DAYS), ("mediate", "red"): (31, 42),
}
# When the other stories were registered, in days before now.
REGISTERED = {"review": (10, 25), "follow_due": (15, 30), "follow_overdue": (20, 40), "follow_again": (30, 50),
              "fulfilled": (35, 75), "closed": (30, 70), "declined": (20, 45)}
# When the last step of a story was taken: days before now, or days after the registration.
LAST = {"mediating": ("ago", 0.2, 3), "major": ("ago", 0.2, 2), "returned": ("ago", 0.2, 3),
        "review": ("ago", 0.1, 2), "follow_due": ("ago", 0.5, 4), "follow_overdue": ("ago", 5, 12),
        "follow_again": ("ago", 0.5, 3), "fulfilled": ("ago", 8, 25), "closed": ("ago", 8, 25),
        "declined": ("after", 0.3, 3)}
# The agreement's performance deadline, in days from today (follow-ups due and
# overdue) or from the day it was made (the others).
FOLLOW_DUE_DAYS = 2           # within the task list's three days ahead
FOLLOW_OVERDUE_DAYS = -3
PERFORM_WITHIN_DAYS = 10
FOLLOW_AGAIN_DAYS = 10


@dataclass(frozen=True)
class Party:
    role: str
    name: str
    gender: str = ""
    birth: str = ""                 # YYYYMMDD: a valid ID number is made from it
    region: str = "330105"
    resident: str = ""              # adult / elderly / elderly_female: a resident of the grid like this, if any
    phone: bool = True
    address: str = ""


@dataclass(frozen=True)
class Session:
    place: str
    record: str
    photo: bool = False


@dataclass(frozen=True)
class Agreement:
    matter: str
    terms: str                      # one term per line
    manner: str
    place: str = "朝晖社区人民调解室"


@dataclass
class Case:
    """One demo case. Texts name the parties as {p0}, {p1}… and the
    agreement's deadline as {deadline}."""
    grid: str                       # the grid's number in the demo community
    registrar: str
    story: str
    type: str
    facts: str
    claims: str
    parties: tuple[Party, ...]
    level: str = "ordinary"
    source: str = "request"
    light: str | None = None        # the light the running clock shows now
    people: int = 0                 # people involved (0: one per party)
    mediators: tuple[str, ...] = (C,)
    other_mediators: str = ""
    owner: str = ""                 # the responsible person (default: the grid's worker, else shequ)
    sessions: tuple[Session, ...] = ()
    agreement: Agreement | None = None
    outcome: str = ""
    note: str = ""                  # the outcome's note (declined: why not accepted)
    referral_body: str = ""
    follow_up: str = ""             # what the follow-up found
    notes: dict[str, str] = field(default_factory=dict)   # return_case, raise_level, list_supervision, supervise


ROOM = "朝晖社区人民调解室"
CASES = [
    # Waiting for the community to accept: one just registered, one overdue.
    Case("001", W1, "waiting", "neighbour", light="green",
         facts="{p0}反映楼上住户{p1}家近一个月每晚十点后仍有孩子跳绳、拖动桌椅的声音，影响家中老人休息。"
               "{p0}曾两次上楼沟通未果，双方在楼道发生口角。",
         claims="{p0}要求{p1}晚上十点后停止产生噪音并铺设地垫；{p1}认为属于正常生活声音，不同意。",
         parties=(Party("applicant", "许丽萍", "female", "19790614", resident="adult"),
                  Party("respondent", "赵磊", "male", "19880302"))),
    Case("003", W2, "accept_overdue", "property", source="screening", light="red",
         facts="网格排查发现，业主{p1}以小区电梯经常故障、物业维修不及时为由，已连续两年未缴纳物业费，共计4,860元。"
               "{p0}多次催缴未果，准备起诉。",
         claims="{p0}要求{p1}补缴两年物业费4,860元；{p1}要求物业先修好电梯并减免部分物业费。",
         parties=(Party("applicant", "杭州安居物业服务有限公司", phone=False, address="朝晖路168号物业服务中心"),
                  Party("respondent", "蒋文斌", "male", "19720919", resident="adult"))),
    # Mediating: green, yellow and red against the time limit.
    Case("001", W1, "mediating", "neighbour", light="green", mediators=(C, W1),
         facts="{p1}家卫生间防水层老化，近两周持续向楼下{p0}家渗水，造成{p0}家卫生间吊顶霉变、墙面脱落。"
               "{p0}多次敲门，{p1}以工作忙为由未处理。",
         claims="{p0}要求{p1}尽快维修防水并赔偿吊顶和墙面修复费用约3,500元；{p1}同意维修，但认为赔偿金额过高。",
         parties=(Party("applicant", "方玉珍", "female", "19660825", resident="adult"),
                  Party("respondent", "钱卫东", "male", "19750411")),
         sessions=(Session(ROOM, "调解员向双方说明了相邻关系中的排水和维修义务。{p1}承认渗水来自其卫生间，"
                                 "同意本周内请人维修防水层。对赔偿金额双方分歧较大，约定由物业出具渗水情况说明后再议。",
                           photo=True),)),
    Case("005", C, "mediating", "damages", source="referral", light="green", other_mediators="何志明",
         facts="{p0}傍晚在小区散步时被{p1}未牵绳的宠物犬咬伤左小腿，已在医院注射狂犬疫苗并清创，花费医药费1,260元。"
               "派出所出警后将纠纷转至社区调解。",
         claims="{p0}要求{p1}赔偿医药费、误工费及营养费共计3,000元并赔礼道歉；{p1}同意承担医药费，对误工费有异议。",
         parties=(Party("applicant", "孙晓梅", "female", "19920517"),
                  Party("respondent", "冯立新", "male", "19690223", resident="adult")),
         sessions=(Session(ROOM, "双方到场，{p1}向{p0}当面道歉。{p1}同意承担全部医药费1,260元，"
                                 "对误工费认为应提供单位证明。调解员建议{p0}补充误工证明，下次调解时确定金额。"),)),
    Case("002", W2, "mediating", "wages", source="screening", light="yellow", people=6, mediators=(C, W2),
         other_mediators="陈伟（街道劳动保障所）",
         facts="网格排查发现，{p2}经营的服装加工小作坊拖欠{p0}、{p1}等6名工人今年8月至10月工资共计52,400元。"
               "作坊因订单减少已半停工，工人多次讨要未果，情绪激动。",
         claims="工人要求{p2}在春节前一次性结清全部工资；{p2}承认欠薪，但称资金周转困难，要求分期支付。",
         parties=(Party("applicant", "马建军", "male", "19800707", region="341221"),
                  Party("applicant", "刘春花", "female", "19851112", region="412726"),
                  Party("respondent", "吴国平", "male", "19700130", address="石桥路388号3号厂房")),
         sessions=(Session("服装加工作坊", "调解员与劳动保障所工作人员一同到作坊核对考勤表和工资单，{p2}对欠薪金额52,400元无异议。"
                                     "工人代表{p0}表示可以接受分两期支付，但要求第一期不少于一半。{p2}表示需回去筹款后答复。",
                           photo=True),
                   Session(ROOM, "{p2}提出先支付20,000元，余款两个月内付清。工人们认为首期太少，双方未达成一致。"
                                 "调解员告知{p2}拖欠工资的法律后果，约定三日内再次协商。"))),
    Case("001", GL, "mediating", "family", light="red", people=3, mediators=(C, W1),
         facts="{p0}年过七旬，老伴去世后独居，患有高血压和糖尿病。两名子女{p1}、{p2}因赡养费分摊和由谁照顾产生矛盾，"
               "近半年均未支付赡养费，老人生活拮据。",
         claims="{p0}要求两名子女每月各支付赡养费1,000元并轮流照顾；{p1}认为{p2}分得老房拆迁款较多，应多承担。",
         parties=(Party("applicant", "徐桂英", "female", "19500408", resident="elderly_female"),
                  Party("respondent", "陈建华", "male", "19680915"),
                  Party("respondent", "陈建芳", "female", "19710321", region="330106")),
         sessions=(Session("{p0}家中", "调解员上门了解老人生活情况，{p0}表示只希望子女常回家看看、按时给生活费。"
                                   "已分别电话联系{p1}、{p2}，约定周末到社区面谈。"),
                   Session(ROOM, "{p1}、{p2}到场，双方就拆迁款分配旧账争执激烈。调解员讲解了《民法典》关于成年子女赡养义务的规定，"
                                 "指出赡养义务不因财产分配而免除。双方情绪有所缓和，但分摊比例仍未谈拢。"),
                   Session(ROOM, "{p2}同意每月支付800元，{p1}坚持只出500元。调解员建议邀请老人的弟弟作为亲属代表参加下次调解，"
                                 "并提醒双方如调解不成，老人可向法院起诉追索赡养费。"))),
    Case("006", C, "mediating", "neighbour", light="red", mediators=(C,),
         facts="{p1}在自家一楼门前的公共通道上加装铁门并堆放杂物，{p0}认为影响其出行和消防安全，双方多次争吵，曾发生推搡。",
         claims="{p0}要求{p1}拆除铁门、清理杂物；{p1}称铁门是为防盗，只同意清理杂物。",
         parties=(Party("applicant", "邱志刚", "male", "19770806", resident="adult"),
                  Party("respondent", "潘雪芬", "female", "19620119")),
         sessions=(Session("现场", "调解员到现场查看，铁门占用公共通道约1.2米，确实影响通行。{p1}同意先清理杂物，"
                                 "对拆除铁门仍有顾虑。已联系物业核实通道权属。", photo=True),
                   Session(ROOM, "物业出具说明，该通道属全体业主共有部分。{p1}提出改为可常开的栅栏门，{p0}不同意。"
                                 "调解员建议双方各退一步，等待街道城管中队的意见。"))),
    # A major case: raised to the street office, a leader in charge, listed and supervised.
    Case("002", GL, "major", "housing", level="serious", light="yellow", people=14, mediators=(C, W2),
         facts="城中村两户村民{p0}、{p1}系堂兄弟，{p1}翻建房屋时地基向{p0}家宅基地方向延伸约0.8米，"
               "{p0}认为侵占了自家宅基地并阻挡采光。双方亲属十余人在施工现场对峙，施工已被迫停止。",
         claims="{p0}要求{p1}按原宅基地界址拆除越界部分并赔偿损失；{p1}称按老房基础翻建，未越界，要求{p0}不得阻挠施工。",
         parties=(Party("applicant", "沈国强", "male", "19630512"),
                  Party("respondent", "沈国民", "male", "19660928")),
         sessions=(Session("施工现场", "调解员到施工现场劝离聚集人员，双方同意暂停施工、等待调解。{p0}出示了宅基地使用证，"
                                   "{p1}表示其房屋证件由村里保管。双方情绪激动，需进一步核实界址。", photo=True),
                   Session("东新街道综治中心", "街道包案领导主持调解，国土所工作人员到场讲解宅基地界址认定程序。"
                                       "双方同意由国土所重新测量界址，测量结果出来前不施工、不聚集。")),
         notes={"raise_level": "双方亲属多次聚集对峙，有激化为群体性事件的风险，报请街道按重大纠纷处理。",
                "list_supervision": "挂牌督办：请社区会同街道国土所两周内完成界址核实，稳控双方情绪，每周报送进展。",
                "supervise": "已到现场查看，请国土所本周内完成测量，社区每日跟进双方情绪。"}),
    # Returned by the committee: back in mediation.
    Case("001", W1, "returned", "damages", light="green", mediators=(C, W1),
         facts="{p1}家装修时拆改墙体，导致隔壁{p0}家客厅墙面出现多条裂缝。{p0}要求停工，装修队未予理会。",
         claims="{p0}要求{p1}修复墙面裂缝、出具房屋安全鉴定并赔偿损失；{p1}同意修复，不同意做安全鉴定。",
         parties=(Party("applicant", "韩秀兰", "female", "19700228", resident="adult"),
                  Party("respondent", "郑浩", "male", "19901016")),
         sessions=(Session(ROOM, "双方到场，{p1}承认装修施工造成墙面开裂，同意负责修复并赔偿清洁和误工损失。"
                                 "{p0}坚持要求做房屋安全鉴定，{p1}认为没有必要。经劝说双方先就修复和赔偿达成协议。"),
                   Session(ROOM, "根据调解委员会意见再次组织调解，双方同意由第三方检测机构出具鉴定，费用由{p1}承担。"
                                 "修复标准以恢复原状并经{p0}验收为准，协议正在修改。")),
         agreement=Agreement("墙面裂缝的修复和损失赔偿",
                             "{p1}于十五日内修复{p0}家客厅墙面裂缝\n{p1}赔偿{p0}清洁及误工损失800元",
                             "{p1}自行组织施工修复，赔偿款现金支付"),
         outcome="agreement", note="双方达成调解协议。",
         notes={"return_case": "协议未写明墙面修复标准和验收方式，也未约定是否做安全鉴定及费用由谁承担，请补充后重新提交。"}),
    # Waiting for the committee's review (shequ recorded the outcome; juweihui decides).
    Case("003", W2, "review", "neighbour", source="screening",
         facts="{p1}家空调外机安装在{p0}家卧室窗下，夏季起噪音大且冷凝水滴落在{p0}家窗台，双方多次协商未果。",
         claims="{p0}要求{p1}移装空调外机；{p1}同意加装接水管，不同意移机。",
         parties=(Party("applicant", "石美玲", "female", "19830704", resident="adult"),
                  Party("respondent", "卢俊杰", "male", "19850219")),
         sessions=(Session(ROOM, "调解员组织双方面谈，{p0}出示了夜间噪音的录音和窗台水渍照片。{p1}同意加装接水管，"
                                 "但认为移机费用太高。", photo=True),
                   Session(ROOM, "经物业确认，{p1}家阳台外侧有空调机位。{p1}同意将外机移至阳台外侧，费用自理；"
                                 "{p0}同意施工时提供便利。")),
         agreement=Agreement("空调外机的安装位置",
                             "{p1}于{deadline}前将空调外机移装至自家阳台外侧的空调机位\n移机费用由{p1}承担，{p0}配合提供施工便利\n"
                             "双方今后互相尊重，不再因此事发生争执",
                             "{p1}自行联系安装公司移机"),
         outcome="agreement", note="双方达成调解协议，请委员会审核。"),
    Case("004", C, "review", "wages", other_mediators="何志明",
         facts="{p0}在{p1}承接的小区装修工程做木工，工程完工后仍有工资9,600元未结算。公司称需等业主付清尾款才能结算。",
         claims="{p0}要求{p1}立即支付工资9,600元；{p1}承认欠款，但要求延后三个月支付。",
         parties=(Party("applicant", "杨涛", "male", "19870605", region="511621"),
                  Party("respondent", "杭州美居装饰工程有限公司", phone=False, address="上塘路256号")),
         sessions=(Session(ROOM, "公司项目经理到场，承认欠薪，但坚持三个月后才能支付。{p0}不接受。"
                                 "调解员告知双方可以申请劳动仲裁，{p0}表示愿意申请仲裁。"),),
         outcome="referred", referral_body="拱墅区劳动人事争议仲裁委员会",
         note="双方对支付期限分歧较大，调解不成，已协助{p0}准备劳动仲裁申请材料。"),
    Case("002", GL, "review", "property", mediators=(C, W2),
         facts="业主{p0}的车辆停在小区地面车位时被高空坠落的花盆砸坏前挡风玻璃，{p1}称不负责车辆保管，{p0}认为物业管理失职。",
         claims="{p0}要求物业赔偿维修费2,800元；{p1}同意给予适当补偿并协助查找花盆所有人。",
         parties=(Party("applicant", "蔡宏伟", "male", "19810913", resident="adult"),
                  Party("respondent", "杭州安居物业服务有限公司", phone=False, address="朝晖路168号物业服务中心")),
         sessions=(Session(ROOM, "物业经理到场，调取监控未能确定花盆所有人。{p1}同意出于管理责任给予补偿，"
                                 "{p0}同意降低赔偿金额。"),),
         agreement=Agreement("车辆损失的补偿",
                             "{p1}一次性补偿{p0}车辆维修费1,500元\n{p1}在小区张贴提示并加强高空抛物巡查\n"
                             "如查明花盆所有人，{p0}可另行向其追偿",
                             "银行转账一次性支付", place="朝晖路168号物业服务中心"),
         outcome="agreement", note="双方达成调解协议，请委员会审核。"),
    # Following up on performance: one due within days, one overdue (both wanggeyuan's), one seen again.
    Case("001", W1, "follow_due", "damages", mediators=(C, W1),
         facts="外卖骑手{p1}骑电动车在小区内逆行，将散步的{p0}撞倒，致其右手腕骨折，住院治疗花费医药费8,600元。",
         claims="{p0}要求赔偿医药费、护理费等共计12,000元；{p1}收入不高，要求分期赔偿。",
         parties=(Party("applicant", "曹国华", "male", "19480715", resident="elderly"),
                  Party("respondent", "黄志勇", "male", "19960203", region="362426")),
         sessions=(Session("{p0}家中", "调解员上门看望{p0}，核对了住院发票和出院小结，医药费合计8,600元。"
                                   "{p0}家属要求一次性赔偿12,000元。"),
                   Session(ROOM, "{p1}及其所在配送站站长到场，{p1}当面道歉，同意赔偿10,000元，首期4,000元当场支付，余款分期。"
                                 "{p0}家属表示同意。", photo=True)),
         agreement=Agreement("交通事故人身损害赔偿",
                             "{p1}赔偿{p0}医药费、护理费等共计10,000元\n签订协议当日支付4,000元，余款6,000元于{deadline}前付清\n"
                             "{p0}不再就此事追究{p1}其他责任",
                             "分两期银行转账"),
         outcome="agreement", note="双方达成调解协议。"),
    Case("001", W1, "follow_overdue", "neighbour", mediators=(C, W1),
         facts="{p1}在一楼院子里种植的香樟树枝叶遮挡{p0}家窗户采光，落叶堵塞{p0}家雨水管，雨天造成阳台积水。",
         claims="{p0}要求{p1}修剪树枝并清理落叶；{p1}同意修剪，但要求{p0}承担一半费用。",
         parties=(Party("applicant", "罗丽娟", "female", "19760430", resident="adult"),
                  Party("respondent", "叶长根", "male", "19550818", resident="adult")),
         sessions=(Session(ROOM, "调解员到现场查看，树枝已伸到二楼窗外，雨水管确被落叶堵塞。经协商，{p1}同意承担修剪费用，"
                                 "{p0}同意协助清理落叶。", photo=True),),
         agreement=Agreement("树木修剪和落叶清理",
                             "{p1}在{deadline}前请园林工人修剪遮挡{p0}家窗户的树枝\n修剪费用由{p1}承担，{p0}协助清理落叶\n"
                             "今后每年秋季由{p1}负责修剪一次",
                             "{p1}自行联系园林工人修剪", place="{p1}家院子"),
         outcome="agreement", note="双方达成调解协议。"),
    Case("002", W2, "follow_again", "family", mediators=(C, W2),
         facts="{p0}与{p1}离婚后，孩子随{p0}生活。{p1}未按离婚协议每月支付孩子抚养费1,500元，已拖欠4个月。",
         claims="{p0}要求{p1}补付拖欠的抚养费6,000元并按月支付；{p1}称近期失业，要求减少抚养费。",
         parties=(Party("applicant", "林娟", "female", "19890127"),
                  Party("respondent", "何军", "male", "19860709", region="330102")),
         sessions=(Session(ROOM, "调解员说明抚养费是父母的法定义务，不因一方失业而免除。{p1}表示已找到新工作，"
                                 "同意补付欠款并按月支付。"),),
         agreement=Agreement("孩子抚养费的支付",
                             "{p1}于{deadline}前补付拖欠的抚养费6,000元\n今后每月5日前按时支付抚养费1,500元",
                             "银行转账至{p0}账户"),
         outcome="agreement", note="双方达成调解协议。",
         follow_up="回访{p0}，{p1}已补付3,000元，余款称下月发工资后支付。将再次回访。"),
    # Archived: fulfilled, referred to court, failed, withdrawn and not accepted.
    Case("007", C, "fulfilled", "housing",
         facts="租户{p1}退租时，房东{p0}以墙面污损、家具损坏为由扣留押金3,000元，{p1}认为属于正常使用损耗。",
         claims="{p1}要求全额退还押金；{p0}要求扣除墙面修补和家具维修费用。",
         parties=(Party("applicant", "唐建明", "male", "19650302", resident="adult"),
                  Party("respondent", "谢婷", "female", "19970825", region="330382")),
         sessions=(Session("出租房屋", "调解员陪同双方查看房屋，墙面有大面积涂画，家具基本完好。双方同意按墙面修补实际费用扣除。",
                           photo=True),),
         agreement=Agreement("租房押金的退还",
                             "{p0}退还{p1}押金2,200元\n其余800元作为墙面修补费用\n双方就租赁事宜再无其他纠纷",
                             "微信转账一次性支付"),
         outcome="agreement", note="双方达成调解协议。", follow_up="电话回访{p1}，押金2,200元已收到，协议已履行完毕。"),
    Case("001", W1, "fulfilled", "neighbour", source="screening", mediators=(C, W1),
         facts="网格排查发现，{p1}家饲养的大型犬夜间经常吠叫，遛狗时不拴绳，邻居{p0}等多户居民意见较大。",
         claims="{p0}要求{p1}管好犬只，夜间不得吠叫扰民；{p1}同意加强管理。",
         parties=(Party("applicant", "程美华", "female", "19580611", resident="adult"),
                  Party("respondent", "杜斌", "male", "19830927")),
         sessions=(Session(ROOM, "调解员向{p1}宣传了《杭州市限制养犬规定》，{p1}当场道歉，同意夜间将犬只关在室内，外出拴绳。"),),
         agreement=Agreement("犬只管理",
                             "{p1}夜间将犬只关在室内，并为犬只佩戴止吠项圈\n外出遛狗时拴绳并及时清理粪便\n"
                             "如再次扰民，{p1}同意将犬只送往亲戚家饲养",
                             "{p1}自行落实"),
         outcome="agreement", note="双方达成调解协议。", follow_up="上门回访{p0}，近一个月夜间未再听到犬吠，遛狗已拴绳。"),
    Case("003", W2, "closed", "housing", source="referral", people=3,
         facts="{p0}与{p1}兄妹二人因父母遗留的一套老房继承份额发生争议，{p1}持有父亲生前所立遗嘱，{p0}对遗嘱真实性有异议。",
         claims="{p0}要求按法定继承平均分割房屋；{p1}要求按遗嘱由其继承房屋的三分之二。",
         parties=(Party("applicant", "周建平", "male", "19610224", resident="adult"),
                  Party("respondent", "周建英", "female", "19640916")),
         sessions=(Session(ROOM, "双方到场陈述意见，{p0}认为遗嘱系父亲病重时所立，不能反映真实意愿。调解员建议双方考虑亲情，协商分割。"),
                   Session(ROOM, "双方仍各执一词，{p0}表示将申请笔迹鉴定。调解员告知遗嘱效力需由法院认定。")),
         outcome="referred", referral_body="拱墅区人民法院",
         note="双方对遗嘱效力各执一词，经两次调解未能达成一致，已引导当事人向人民法院起诉。"),
    Case("002", W2, "closed", "property",
         facts="业主{p0}装修时，{p1}以其未交装修保证金为由禁止装修材料进场，双方在小区门口发生争执。",
         claims="{p0}要求物业允许材料进场并取消保证金；{p1}坚持按管理规约收取2,000元保证金。",
         parties=(Party("applicant", "魏少东", "male", "19840508", resident="adult"),
                  Party("respondent", "杭州安居物业服务有限公司", phone=False, address="朝晖路168号物业服务中心")),
         sessions=(Session(ROOM, "调解员查阅了小区管理规约，规约未约定装修保证金。物业坚持收取，{p0}拒绝缴纳，双方均不让步。"),),
         outcome="failed", note="双方均不让步，调解不成，已告知{p0}可向区住建局投诉或向人民法院起诉。"),
    Case("005", C, "closed", "neighbour",
         facts="小区广场舞队每晚在{p0}家楼下跳舞至九点半，音响音量过大，{p0}家孩子面临中考，无法安心学习。",
         claims="{p0}要求广场舞队调低音量、提前结束；广场舞队负责人{p1}同意调整。",
         parties=(Party("applicant", "钟晓东", "male", "19800112", resident="adult"),
                  Party("respondent", "何美华", "female", "19580303")),
         sessions=(Session("小区中心广场", "调解员在广场与{p1}和队员沟通，队员们表示理解，同意调低音量并提前结束。"),),
         outcome="withdrawn", note="广场舞队已调低音量并将结束时间提前到晚上八点半，{p0}表示满意，申请撤回调解。"),
    Case("001", W1, "declined", "other",
         facts="{p0}称2024年借给{p1}人民币5万元，约定一年内归还，到期后{p1}以生意亏损为由拒不还款。",
         claims="{p0}要求{p1}归还借款5万元及利息。",
         parties=(Party("applicant", "邓海涛", "male", "19740321", resident="adult"),
                  Party("respondent", "尹志明", "male", "19760715", region="330104")),
         note="经核实，{p0}已就该借款向人民法院起诉且法院已立案，依照《人民调解法》不再受理，已告知当事人。"),
]

# The grids' and community's zero reports (零报告): in the last few periods,
# except where a case found in screening already filed one. Missing on purpose:
# grids 006 and 007 this period, grid 007 the last one too.
ZERO_REPORT_PERIODS = 3
MISSING = {("006", 0), ("007", 0), ("007", 1)}
ZERO_NOTE = "已对辖区住户、沿街商铺、出租房屋开展排查，未发现矛盾纠纷。"


class Timeline:
    """Back-dated moments before `now`: office moments on working days, and
    daytime moments on every day for where no office moment fits."""

    def __init__(self, now: datetime, rng: random.Random):
        self.now, self.rng = now, rng
        first = (now - timedelta(days=HISTORY_DAYS)).astimezone(workdays.SHANGHAI).date()
        moment = workdays.add_working_hours(datetime.combine(first, time(0), workdays.SHANGHAI), 0) + OFFSET
        self.office = []
        while moment <= now:
            self.office.append(moment)
            moment = workdays.add_working_hours(moment, STEP_HOURS)
        self.daytime = [datetime.combine(first + timedelta(days=d), time(h, 7), workdays.SHANGHAI)
                        for d in range(HISTORY_DAYS + 1) for h in range(8, 21)]
        self.daytime = [m for m in self.daytime if m <= now]

    def ago(self, days: float) -> datetime:
        return self.now - timedelta(days=days)

    def pick(self, after: datetime, until: datetime, test=None) -> datetime | None:
        """A moment in (after, until], an office one if any fits, that passes `test`."""
        until = min(until, self.now)
        for moments in (self.office, self.daytime):
            found = [m for m in moments if after < m <= until and (test is None or test(m))]
            if found:
                return self.rng.choice(found)
        if test is None and after < until:
            return after + (until - after) / 2
        return None

    def aim(self, light: str, clock, prefer: tuple[float, float]) -> datetime | None:
        """A registration moment whose clock shows `light` now, in the preferred
        days before now if possible."""
        shows = lambda m: limits.light(*clock(m), self.now) == light  # noqa: E731
        earliest = self.ago(HISTORY_DAYS)
        return (self.pick(self.ago(prefer[1]), self.ago(prefer[0]), shows)
                or self.pick(earliest, self.now, shows))


def accept_clock(moment: datetime) -> tuple[datetime, datetime]:
    due = limits.due_after_days(moment, current_app.config["DISPUTE_ACCEPT_DAYS"], "working_days")
    clock = limits.clock(moment, due, "working_days")
    return clock.due_at, clock.yellow_at


def mediate_clock(level: str):
    amount, unit = limits.level_limit(level)

    def clock_(moment: datetime) -> tuple[datetime, datetime]:
        clock = limits.clock(moment, limits.due_after_days(moment, amount, unit), unit)
        return clock.due_at, clock.yellow_at
    return clock_


# --- the plan -------------------------------------------------------------------

def steps_of(case: Case) -> list[str]:
    """The steps after registration; a case registered by the community's own
    staff is accepted at once."""
    sessions = [f"session{n}" for n in range(len(case.sessions))]
    story = case.story
    if story in ("waiting", "accept_overdue"):
        return []
    if story == "declined":
        return ["decline"]
    accept = [] if case.registrar in (C, J) else ["accept"]
    if story == "mediating":
        return accept + sessions
    if story == "major":
        return accept + [sessions[0], "raise_level", "assign_leader", "list_supervision", *sessions[1:], "supervise"]
    if story == "returned":
        return accept + [sessions[0], "agreement", "outcome", "return_case", *sessions[1:]]
    middle = sessions + (["agreement"] if case.agreement else []) + ["outcome"]
    tail = {"review": [], "follow_due": ["approve"], "follow_overdue": ["approve"], "closed": ["approve"],
            "follow_again": ["approve", "follow_up"], "fulfilled": ["approve", "follow_up"]}[story]
    return accept + middle + tail


def schedule(case: Case, timeline: Timeline) -> list[datetime]:
    """The moment of the registration and of each step (ascending)."""
    if case.story in ("waiting", "accept_overdue"):
        registered = timeline.aim(case.light, accept_clock, PREFER[("accept", case.light)])
    elif case.light:
        level = "major" if case.story == "major" else case.level
        registered = timeline.aim(case.light, mediate_clock(level), PREFER[("mediate", case.light)])
    else:
        lo, hi = REGISTERED[case.story]
        registered = timeline.pick(timeline.ago(hi), timeline.ago(lo))
    if registered is None:
        raise RuntimeError(f"demo disputes: no moment in the last {HISTORY_DAYS} days gives a {case.story} case "
                           f"a {case.light} light now")
    steps = steps_of(case)
    if not steps:
        return [registered]
    kind, lo, hi = LAST[case.story]
    if kind == "after":
        last = timeline.pick(registered + timedelta(days=lo), registered + timedelta(days=hi))
    else:
        last = timeline.pick(max(registered, timeline.ago(hi)), timeline.ago(lo))
    last = last or timeline.pick(registered, timeline.now)
    moments = [registered]
    rest = len(steps) - 1
    if steps[0] == "accept" and rest:
        # Accepted within a day, and before the other steps.
        span = min(timedelta(days=1), (last - registered) / len(steps))
        moments.append(timeline.pick(registered, registered + span))
        rest -= 1
    # The other steps, one in each equal slice of the time up to the last.
    start, slice_ = moments[-1], (last - moments[-1]) / (rest + 1)
    for n in range(rest):
        moments.append(timeline.pick(start + slice_ * n, start + slice_ * (n + 1)))
    moments.append(last)
    if any(b <= a for a, b in zip(moments, moments[1:])) or moments[-1] > timeline.now:
        raise RuntimeError(f"demo disputes: could not schedule a {case.story} case")
    return moments


def check_plan(cases: list[Case]) -> None:
    lights = [case.light for case in cases if end_state(case) == "mediating"]
    check(lights, "planned", {end_state(case) for case in cases})


def end_state(case: Case) -> str:
    return {"waiting": "registered", "accept_overdue": "registered", "mediating": "mediating", "major": "mediating",
            "returned": "mediating", "review": "under_review", "follow_due": "follow_up",
            "follow_overdue": "follow_up", "follow_again": "follow_up"}.get(case.story, "archived")


def check(lights: list[str | None], stage: str, states: set[str]) -> None:
    counts = {light: lights.count(light) for light in LIGHTS}
    if min(counts.values()) < 1 or set(states) != set(STATES):
        raise RuntimeError(f"demo disputes: the {stage} mix has states {sorted(states)} and mediating lights "
                           f"{counts}; every state and each light should show")


# --- seeding --------------------------------------------------------------------------

def seed_disputes(now: datetime | None = None, seed: int = SEED) -> int:
    """Add the demo disputes and screening reports unless there are disputes
    already (commits); returns how many disputes. `now` (timezone-aware;
    default the real time) is the moment the lights are aimed at. Raises
    RuntimeError when the plan or the result misses a state or a light."""
    if db.session.scalar(select(Dispute.id).limit(1)) is not None:
        return 0
    now = now or datetime.now(timezone.utc)
    timeline = Timeline(now, random.Random(seed))
    moments = [schedule(case, timeline) for case in CASES]
    check_plan(CASES)
    users = {u.username: u for u in db.session.scalars(select(User).where(User.username.in_([W1, W2, GL, C, J, S])))}
    missing = {W1, W2, GL, C, J, S} - set(users)
    if missing:
        raise RuntimeError(f"demo disputes: no demo accounts {sorted(missing)}")
    grids = {u.code[len(COMMUNITY):]: u for u in db.session.scalars(
        select(Unit).where(Unit.level == "grid", Unit.code.like(COMMUNITY + "%")))}
    places = points([case.grid for case in CASES], seed + 7)
    content = random.Random(seed + 1)
    used: set[int] = set()
    # Registered in time order, so each day's case numbers run with the clock.
    # Every service call commits; nobody else writes meanwhile, so the loaded
    # users and units need not be read again after each commit.
    session = db.session()
    expire, session.expire_on_commit = session.expire_on_commit, False
    try:
        for n in sorted(range(len(CASES)), key=lambda n: moments[n][0]):
            create(CASES[n], moments[n], places[n], grids[CASES[n].grid], users, content, used, now)
        file_zero_reports(grids, users, timeline)
    finally:
        session.expire_on_commit = expire
    session.expire_all()
    check_seeded(now)
    return len(CASES)


def party_input(party: Party, grid: Unit, content: random.Random, used: set[int], today: date) -> services.PartyInput:
    resident = pick_resident(party.resident, grid, content, used, today) if party.resident else None
    if resident is not None:
        return services.PartyInput(role=party.role, resident_id=resident.id)
    id_number = ""
    if party.birth:
        serial = content.randrange(0, 50) * 2 + (1 if party.gender == "male" else 0)
        first17 = f"{party.region}{party.birth}{content.randrange(1, 10)}{serial:02d}"
        id_number = first17 + rules.compute_check_digit(first17)
    phone = f"1{content.choice('3578')}{content.randrange(10**9):09d}" if party.phone else ""
    return services.PartyInput(role=party.role, name=party.name, gender=party.gender, id_number=id_number,
                               phone=phone, address=party.address)


def pick_resident(kind: str, grid: Unit, content: random.Random, used: set[int], today: date) -> Resident | None:
    """A resident of the grid of the kind wanted (not yet a party of another demo case)."""
    years = {"adult": (25, 68), "elderly": (70, 95), "elderly_female": (70, 95)}[kind]
    born_after = today.replace(year=today.year - years[1])
    born_before = today.replace(year=today.year - years[0])
    stmt = (select(Resident).join(Household, Resident.household_id == Household.id)
            .where(Household.grid_id == grid.id, Resident.birth_date.between(born_after, born_before))
            .order_by(Resident.id).limit(60))
    if kind == "elderly_female":
        stmt = stmt.where(Resident.gender == "female")
    found = [r for r in db.session.scalars(stmt) if r.id not in used]
    if not found:
        return None
    resident = content.choice(found)
    used.add(resident.id)
    return resident


def create(case: Case, at: list[datetime], place: tuple[float, float, str], grid: Unit, users: dict,
           content: random.Random, used: set[int], now: datetime) -> Dispute:
    lon, lat, address = place
    registrar = users[case.registrar]
    today = services.today(now)
    parties = [party_input(p, grid, content, used, today) for p in case.parties]
    names = {f"p{n}": (db.session.get(Resident, p.resident_id).name if p.resident_id else p.name)
             for n, p in enumerate(parties)}
    owner = users[case.owner or GRID_WORKER.get(case.grid, C)]
    data = services.DisputeInput(
        uuid=str(uuid.uuid4()), type=case.type, source=case.source, level=case.level, lat=lat, lon=lon,
        address=address, people_involved=case.people or len(parties), facts=case.facts.format_map(names),
        claims=case.claims.format_map(names), parties=parties, stability_owner_id=owner.id,
        mediator_ids=[users[m].id for m in case.mediators], other_mediators=case.other_mediators)
    dispute, _ = services.register_dispute(data=data, by=registrar, now=at[0])
    deadline = performance_deadline(case, at, today)
    words = names | {"deadline": f"{deadline.year}年{deadline.month}月{deadline.day}日"}
    for step, moment in zip(steps_of(case), at[1:]):
        take(step, dispute, case, moment, users, owner, content, words, deadline)
    return dispute


def performance_deadline(case: Case, at: list[datetime], today: date) -> date:
    if case.story == "follow_due":
        return today + timedelta(days=FOLLOW_DUE_DAYS)
    if case.story == "follow_overdue":
        return today + timedelta(days=FOLLOW_OVERDUE_DAYS)
    steps = steps_of(case)
    made = at[1 + steps.index("agreement")] if "agreement" in steps else at[-1]
    return services.today(made) + timedelta(days=PERFORM_WITHIN_DAYS)


def take(step: str, dispute: Dispute, case: Case, at: datetime, users: dict, owner: User,
         content: random.Random, words: dict, deadline: date) -> None:
    shequ = users[C]
    if step.startswith("session"):
        session = case.sessions[int(step[len("session"):])]
        by = users[S] if case.story == "major" and step != "session0" else shequ
        attendees = "、".join(p.name for p in dispute.parties) + "；调解员：" + "、".join(
            [m.full_name for m in dispute.mediators] + ([by.full_name] if by not in dispute.mediators else [])
            + ([dispute.other_mediators] if dispute.other_mediators else []))
        services.log_session(dispute=dispute, by=by, now=at, data=services.SessionInput(
            uuid=str(uuid.uuid4()), held_at=at, place=session.place.format_map(words), attendees=attendees,
            record=session.record.format_map(words), photos=[photo(content)] if session.photo else []))
    elif step == "agreement":
        agreement = case.agreement
        data: AgreementInput = prefill(dispute, at)
        data.matter = agreement.matter.format_map(words)
        data.terms = agreement.terms.format_map(words)
        data.performance_manner = agreement.manner.format_map(words)
        data.performance_place = agreement.place.format_map(words)
        data.performance_deadline = deadline
        save_agreement(dispute=dispute, data=data, by=shequ, version=0, now=at)
    else:
        by, fields = action(step, dispute, case, at, users, owner, words)
        services.act(dispute=dispute, by=by, now=at,
                     data=services.ActionInput(action=step if step != "outcome" else "record_outcome",
                                               version=dispute.version, **fields))


def action(step: str, dispute: Dispute, case: Case, at: datetime, users: dict, owner: User,
           words: dict) -> tuple[User, dict]:
    """Who takes a step and what they enter."""
    if step == "accept":
        return users[C], {}
    if step == "decline":
        return users[C], {"note": case.note.format_map(words)}
    if step == "outcome":
        return users[C], {"outcome": case.outcome, "note": case.note.format_map(words),
                          "referral_body": case.referral_body}
    if step == "approve":
        note = "同意结案，转入回访。" if case.outcome in ("agreement", "partial") else "同意结案。"
        return users[J], {"note": note}
    if step == "return_case":
        return users[J], {"note": case.notes["return_case"]}
    if step == "follow_up":
        if case.story == "follow_again":
            return owner, {"performance": "partial", "next_step": "again", "note": case.follow_up.format_map(words),
                           "follow_up_on": services.today(at) + timedelta(days=FOLLOW_AGAIN_DAYS)}
        return owner, {"performance": "fulfilled", "note": case.follow_up.format_map(words)}
    if step == "raise_level":
        return users[C], {"level": "major", "note": case.notes[step]}
    if step == "assign_leader":
        return users[S], {"leader_id": users[S].id}
    if step in ("list_supervision", "supervise"):
        return users[S], {"note": case.notes[step]}
    raise ValueError(f"unknown demo step {step!r}")


def file_zero_reports(grids: dict[str, Unit], users: dict, timeline: Timeline) -> int:
    """Zero reports for the grids and the community in the last periods, except
    where a report exists (a case found in screening) or MISSING says so."""
    community = db.session.scalar(select(Unit).where(Unit.code == COMMUNITY))
    units = [(code, unit, users[GRID_WORKER.get(code, C)]) for code, unit in sorted(grids.items())]
    units.append(("community", community, users[C]))
    filed = 0
    today = services.today(timeline.now)
    for code, unit, by in units:
        kind = cadence(unit.level) or "half_month"
        start, end = period_of(kind, today)
        for back in range(ZERO_REPORT_PERIODS):
            if back:
                start, end = previous_period(kind, start)
            if (code, back) in MISSING or db.session.scalar(select(Screening.id).where(
                    Screening.unit_id == unit.id, Screening.period_start == start)) is not None:
                continue
            # Reported near the end of the period (or before now for the current one).
            end_at = datetime.combine(end, time(17, 30), workdays.SHANGHAI)
            start_at = datetime.combine(max(start, end - timedelta(days=4)), time(8), workdays.SHANGHAI)
            at = timeline.pick(start_at, end_at) or timeline.pick(datetime.combine(start, time(0), workdays.SHANGHAI),
                                                                  timeline.now)
            if at is None:
                continue
            db.session.add(Screening(unit_id=unit.id, period_start=start, period_end=end, nothing_found=True,
                                     note=ZERO_NOTE, reported_by_id=by.id, reported_at=at, version=1))
            filed += 1
    db.session.commit()
    return filed


# --- the mix --------------------------------------------------------------------------

def mix(now: datetime) -> dict:
    """What the demo shows as of `now`: cases by state, lights of the mediating
    cases, and the items the demo walk-through needs."""
    disputes = db.session.scalars(select(Dispute).order_by(Dispute.id)).all()
    states: dict[str, int] = {}
    for d in disputes:
        states[d.state] = states.get(d.state, 0) + 1
    mediating = [d for d in disputes if d.state == "mediating"]
    lights = [limits.light(d.due_at, d.yellow_at, now) for d in mediating]
    today = services.today(now)
    shequ = db.session.scalar(select(User).where(User.username == C))
    w1 = db.session.scalar(select(User).where(User.username == W1))
    follow_ups = [d for d in disputes if d.state == "follow_up" and d.stability_owner_id == w1.id]
    return {
        "states": states,
        "lights": {light: lights.count(light) for light in LIGHTS},
        "accept": sorted(limits.light(d.due_at, d.yellow_at, now) for d in disputes if d.state == "registered"),
        "major_listed": sum(d.level == "major" and d.lead_leader_id is not None and d.listed_at is not None
                            for d in mediating),
        "returned": sum(any(a.action == "return_case" for a in d.actions) for d in mediating),
        "for_committee": sum(d.state == "under_review" and d.outcome_by_id == shequ.id for d in disputes),
        "follow_up_due": sum(today <= d.follow_up_on <= today + timedelta(days=FOLLOW_DUE_DAYS) for d in follow_ups),
        "follow_up_overdue": sum(d.follow_up_on < today for d in follow_ups),
        "outcomes": sorted({d.outcome for d in disputes if d.state == "archived"}),
    }


def check_seeded(now: datetime) -> dict:
    found = mix(now)
    lights = [light for light, n in found["lights"].items() for _ in range(n)]
    check(lights, "seeded", set(found["states"]))
    wanted = {"major_listed": 1, "returned": 1, "for_committee": 2, "follow_up_due": 1, "follow_up_overdue": 1}
    short = {k: found[k] for k, n in wanted.items() if found[k] < n}
    if short or "green" not in found["accept"] or "red" not in found["accept"] or not {
            "agreement", "referred", "failed", "withdrawn", "declined"} <= set(found["outcomes"]):
        raise RuntimeError(f"demo disputes: the seeded mix is short of {short or found}")
    return found
