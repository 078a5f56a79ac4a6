"""A phrase bank for generated notices: government prose with and without Social Credit System vocabulary.

The benchmark's bodies must cost what real ones cost: the same script mix, sentence
lengths and density of lexicon terms (a third of the notices are about credit, the rest
about roads, schools, subsidies and statistics). Every sentence here is our own writing.
"""

from __future__ import annotations

import random

PROVINCES = ("江苏省", "浙江省", "广东省", "四川省", "河南省", "山东省", "湖北省", "福建省", "陕西省", "云南省")
CITIES = ("南京市", "杭州市", "广州市", "成都市", "郑州市", "济南市", "武汉市", "厦门市", "西安市", "昆明市")
DEPARTMENTS = (
    "发展改革委",
    "市场监管局",
    "生态环境厅",
    "住房城乡建设厅",
    "交通运输厅",
    "人力资源社会保障厅",
    "税务局",
    "商务厅",
    "财政厅",
    "农业农村厅",
)
SECTORS = (
    "建筑施工",
    "食品生产",
    "交通运输",
    "电子商务",
    "家政服务",
    "医疗卫生",
    "旅游",
    "物业管理",
    "安全生产",
    "药品流通",
)

SCS_SENTENCES = (
    "各地要加快推进社会信用体系建设，健全覆盖全社会的征信系统。",
    "依托全国信用信息共享平台，归集{sector}领域市场主体的行政许可和行政处罚信息。",
    "对列入严重失信主体名单的{sector}企业，依法依规实施联合惩戒。",
    "建立以信用为基础的新型监管机制，推行信用承诺制度。",
    "{city}{department}将失信被执行人名单信息推送至信用中国网站向社会公示。",
    "守信激励和失信惩戒机制进一步完善，信用修复渠道更加畅通。",
    "公共信用综合评价结果作为分级分类监管的重要依据。",
    "开展{sector}行业信用评价，评价结果分为A、B、C、D四个等级。",
    "市场主体可通过信用中国网站申请信用修复，符合条件的及时移出失信名单。",
    "统一社会信用代码是市场主体的法定身份识别码，各部门应当在行政管理中使用。",
    "加强信用信息安全管理，严禁泄露个人隐私和商业秘密。",
    "推动信用报告在招标投标、政府采购等领域的应用。",
    "对违法失信行为实行“黑名单”管理，依法限制其参与评优评先。",
    "{province}信用办组织开展诚信建设万里行主题宣传活动。",
    "将企业环境信用评价结果与绿色信贷、差别化电价等政策挂钩。",
    "建立健全{sector}从业人员信用档案，记录其执业行为和奖惩情况。",
    "重点关注名单内的市场主体应当在规定期限内完成整改。",
    "各级行政机关应当在作出行政处罚决定之日起七个工作日内上网公示。",
    "鼓励第三方信用服务机构依法开展信用评级和信用管理咨询服务。",
    "对守信主体在行政审批中给予“绿色通道”、容缺受理等便利。",
    "纳税信用等级为A级的纳税人可享受增值税留抵退税等激励措施。",
    "推进政务诚信、商务诚信、社会诚信和司法公信建设。",
    "信用监管贯穿市场主体全生命周期，衔接事前、事中、事后全监管环节。",
    "拖欠农民工工资失信联合惩戒对象名单由人力资源社会保障部门认定。",
    "严重违法失信企业名单管理办法自发布之日起施行。",
)

OTHER_SENTENCES = (
    "为进一步做好{year}年度{sector}领域重点工作，现将有关事项通知如下。",
    "{city}将新建和改造城市道路{number}公里，完善公共交通线网。",
    "各单位要高度重视，明确责任分工，确保各项任务按期完成。",
    "{province}{department}印发了关于做好春季农业生产工作的指导意见。",
    "本次补贴资金共计{number}万元，由市级财政和区级财政按比例分担。",
    "申报材料包括申请表、营业执照复印件和近三年财务审计报告。",
    "请于{month}月{day}日前将汇总表加盖公章后报送至办公室。",
    "加快推进老旧小区改造，同步完善养老托育等社区服务设施。",
    "全年接待游客{number}万人次，实现旅游收入同比增长百分之八。",
    "各地要切实做好汛期安全防范工作，落实二十四小时值班制度。",
    "学校应当保障学生每天校内体育活动时间不少于一小时。",
    "对符合条件的小微企业，按规定减半征收房产税和城镇土地使用税。",
    "推动数字政府建设，实现高频政务服务事项“一网通办”。",
    "组织开展职业技能培训{number}人次，新增城镇就业岗位持续增加。",
    "统计数据显示，上半年全市规模以上工业增加值同比增长。",
    "联系人及电话请见附件，未尽事宜另行通知。",
    "本办法由{province}{department}负责解释。",
    "做好重要节假日期间市场保供稳价工作，保障群众生活必需品供应。",
    "完善基层医疗卫生服务体系，提升县级医院综合服务能力。",
    "加强耕地保护，严格落实永久基本农田特殊保护制度。",
    "推进垃圾分类工作，生活垃圾回收利用率达到百分之三十五以上。",
    "按照“放管服”改革要求，进一步压减审批环节和办理时限。",
    "加大对科技型中小企业研发费用加计扣除政策的宣传力度。",
    "在全市范围内开展消防安全专项整治，排查整改火灾隐患。",
    "各区县要结合实际制定具体实施方案，并于年底前报送工作总结。",
)

HEADINGS = ("一、总体要求", "二、重点任务", "三、保障措施", "四、工作要求", "五、其他事项")
TITLE_SCS = (
    "关于推进{sector}领域信用体系建设的实施意见",
    "关于印发《{province}失信惩戒措施补充清单》的通知",
    "关于开展{year}年度{sector}企业信用评价工作的通知",
    "关于公布严重失信主体名单的公告",
    "关于进一步完善信用修复机制的通知",
)
TITLE_OTHER = (
    "关于做好{year}年{sector}工作的通知",
    "{city}关于印发城市更新行动方案的通知",
    "关于下达{year}年度专项资金的通知",
    "关于开展安全生产大检查的通知",
    "{province}{department}关于公布第二批试点单位名单的公告",
)


def _fill(template: str, rng: random.Random, year: int) -> str:
    return template.format(
        province=rng.choice(PROVINCES),
        city=rng.choice(CITIES),
        department=rng.choice(DEPARTMENTS),
        sector=rng.choice(SECTORS),
        year=year,
        number=rng.randint(12, 980),
        month=rng.randint(1, 12),
        day=rng.randint(1, 28),
    )


def notice_title(rng: random.Random, year: int, about_credit: bool) -> str:
    return _fill(rng.choice(TITLE_SCS if about_credit else TITLE_OTHER), rng, year)


def notice_paragraphs(rng: random.Random, year: int, about_credit: bool, characters: int) -> list[str]:
    """About `characters` characters of body in paragraphs of 3–7 sentences under numbered headings.

    A notice about credit draws 40% of its sentences from the SCS bank; any other
    notice draws 1% (credit vocabulary turns up in unrelated notices too).
    """
    share = 0.4 if about_credit else 0.01
    paragraphs = [_fill(OTHER_SENTENCES[0], rng, year)]
    length = len(paragraphs[0])
    heading = 0
    while length < characters:
        if heading < len(HEADINGS) and rng.random() < 0.25:
            paragraphs.append(HEADINGS[heading])
            heading += 1
        bank = [SCS_SENTENCES if rng.random() < share else OTHER_SENTENCES for _ in range(rng.randint(3, 7))]
        paragraph = "".join(_fill(rng.choice(sentences), rng, year) for sentences in bank)
        paragraphs.append(paragraph)
        length += len(paragraph)
    return paragraphs
