"""The rules: pure functions from CaseFacts to Decisions. Every number comes from
data/parameters.yaml through `_p`, with the article it rests on; every reason is given in
Chinese and English. A rule that changed on a date has one function per version, and
VERSIONS picks the one in force on the day that matters (the purchase, or for a duty that
runs now, the day asked about)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from anxin.law import params
from anxin.law.days import days_after, months_after, within
from anxin.law.decision import Citation, Decision, Duty, Remedy
from anxin.law.facts import CaseFacts

C = Citation
Rule = Callable[[CaseFacts], list[Decision]]


def _p(name: str, on: dt.date) -> params.Value:
    return params.get(name, on)


def yuan(fen: int) -> str:
    whole, cents = divmod(fen, 100)
    return f"{whole:,}" if not cents else f"{whole:,}.{cents:02d}"


def _price(f: CaseFacts) -> int:
    return f.purchase.item.price_fen or 0


def _paid(f: CaseFacts) -> dt.date:
    assert f.purchase.paid_at is not None  # required by facts.REQUIRED
    return f.purchase.paid_at


# --- no-reason return (CRPL 25, NRR, CRPL-IR 19, SPC-ONLINE 2-3) --------------------------


def _no_reason_return(
    f: CaseFacts, *, measures: bool, promise_binding: bool, regulation: bool
) -> list[Decision]:
    on, item, claim = _paid(f), f.purchase.item, f.claim
    d = Decision("no-reason-return")
    channels = _p("no_reason_return.channels", on)
    if f.purchase.channel not in channels.value:
        d.say(
            "在实体店购买的商品不适用七日无理由退货，该规定只适用于网络、电视、电话、邮购等远程购物。",
            "Goods bought in a shop have no 7-day no-reason return: the right covers "
            "distance sales (online, TV, phone, mail order).",
            channels.cite,
        )
        return [d.done("refused")]
    delivered = f.purchase.delivered_at
    window = _p("no_reason_return.window_days", on)
    start_cite = C("NRR", 10) if measures else window.cite
    if delivered is None:
        d.say(
            "商品尚未签收，七日期间从签收次日起算；签收前可以直接取消订单。",
            "The goods have not been signed for yet; the 7 days start the day after signing. "
            "Until then the order can simply be cancelled.",
            window.cite,
            start_cite,
        )
        return [d.done("refused")]
    end = d.deadline("request_window_ends", days_after(delivered, window.value))
    assert claim.requested_at is not None
    if not within(claim.requested_at, end):
        d.say(
            f"退货通知应在签收次日起{window.value}日内（{end}前）发出，本次于{claim.requested_at}提出，已超过期限。",
            f"A no-reason return must be asked for within {window.value} days of signing, "
            f"counted from the next day (by {end}); this request came on {claim.requested_at}.",
            window.cite,
            start_cite,
        )
        return [d.done("refused")]
    promised = bool(item.return_promised_despite_exception) and promise_binding
    exceptions = _p("no_reason_return.statutory_exceptions", on)
    unsealed = _p("no_reason_return.exception_if_unsealed", on)
    excepted = item.category in exceptions.value or (
        item.category in unsealed.value and claim.item_condition != "intact"
    )
    if excepted and not promised:
        d.say(
            "该商品属于法定不适用无理由退货的商品（定作、鲜活易腐、在线下载或已拆封的数字化商品、已交付的报刊），经营者也未承诺无理由退货。",
            "This item is one the law excepts from no-reason returns (made to order, "
            "perishable, downloaded or unsealed digital goods, delivered newspapers), and "
            "the seller did not promise returns anyway.",
            exceptions.cite,
            *([C("NRR", 6)] if measures else []),
        )
        return [d.done("refused")]
    if excepted:
        d.say(
            "该商品虽属法定例外，但经营者承诺了七日无理由退货，承诺有约束力。",
            "The item is a statutory exception, but the seller promised no-reason returns, "
            "and that promise binds it.",
            C("SPC-ONLINE", 2),
        )
    if item.non_returnable_confirmed and not promised:
        d.say(
            "购买时您已在单独、显著的步骤中确认该商品不宜退货，因此不适用无理由退货。",
            "When buying you confirmed, in a separate and prominent step, that this item "
            "cannot be returned, so no-reason return does not apply.",
            C("CRPL", 25, 2),
            *([C("NRR", 7)] if measures else []),
            *([C("CRPL-IR", 19, 2)] if regulation else []),
        )
        return [d.done("refused")]
    refusal = _condition_refusal(f, measures=measures)
    if refusal is not None:
        zh, en, cites = refusal
        d.say(zh, en, *cites)
        return [d.done("refused")]
    # Granted: the refund, less what the buyer keeps that is not theirs to keep.
    refund_days = _p("no_reason_return.refund_days", on)
    received = claim.seller_received_return_at
    due = d.deadline("refund_due", days_after(received, refund_days.value)) if received else None
    deductions = claim.gifts_not_returned_fen + claim.free_shipping_deduction_fen
    refund = max(0, _price(f) - deductions)
    d.remedies.append(Remedy("refund", "seller", refund, due))
    d.say(
        f"您可以在{end}前无理由退货；经营者应在收到退货之日起{refund_days.value}日内退还"
        f"{yuan(refund)}元" + (f"（{due}前）。" if due else "。"),
        f"You may return it without giving a reason until {end}; the seller must refund "
        f"{yuan(refund)} yuan within {refund_days.value} days of receiving it back"
        + (f" (by {due})." if due else "."),
        window.cite,
        start_cite,
        refund_days.cite,
        *([C("NRR", 13)] if measures else []),
    )
    if claim.gifts_not_returned_fen:
        d.say(
            f"未退回的赠品按事先标明的价格扣除{yuan(claim.gifts_not_returned_fen)}元。",
            f"Gifts not sent back are deducted at their marked price: "
            f"{yuan(claim.gifts_not_returned_fen)} yuan.",
            C("NRR", 12),
        )
    if claim.free_shipping_deduction_fen:
        d.say(
            f"退货后订单不再满足包邮条件，经营者可扣除原运费{yuan(claim.free_shipping_deduction_fen)}元。",
            "After the return the order no longer qualifies for free shipping, so the seller "
            f"may keep the original shipping fee: {yuan(claim.free_shipping_deduction_fen)} yuan.",
            C("NRR", 18, 2),
        )
    if regulation and not excepted:
        d.say(
            "您购买时未确认该商品不宜退货，经营者不得以此拒绝退货。",
            "You did not confirm at purchase that the item is non-returnable, so the seller "
            "may not refuse on that ground.",
            C("CRPL-IR", 19, 2),
        )
    shipping_by_seller = f.purchase.return_shipping_agreed_by_seller
    d.duties.append(Duty("buyer", "return_goods", "seller" if shipping_by_seller else "buyer"))
    if shipping_by_seller:
        d.remedies.append(Remedy("return_shipping", "seller"))
        d.say(
            "经营者已约定承担退货运费。",
            "The seller agreed to pay the return shipping.",
            C("CRPL", 25, 3),
        )
    else:
        d.say(
            "退货运费由您承担（另有约定的除外）。",
            "You pay the return shipping unless agreed otherwise.",
            C("CRPL", 25, 3),
            *([C("NRR", 18, 1)] if measures else []),
        )
    decisions = [d.done("granted")]
    if measures:
        handling = _p("no_reason_return.handling_penalty_days", on)
        d.deadline("seller_handling_penalty_after", days_after(claim.requested_at, handling.value))
        if received is not None:
            decisions.append(_refund_penalty(f, received, on))
    return decisions


def _condition_refusal(
    f: CaseFacts, *, measures: bool
) -> tuple[str, str, tuple[Citation, ...]] | None:
    on, category, condition = _paid(f), f.purchase.item.category, f.claim.item_condition
    allowed = _p("no_reason_return.conditions_allowed", on)
    if condition in allowed.value:
        return None
    if measures and condition == "seal_broken":
        seal = _p("no_reason_return.seal_categories", on)
        if category not in seal.value:
            # Only an opened package: no ground for refusal if the goods are intact.
            return None
        return (
            "食品、化妆品、医疗器械等商品的一次性密封包装被损坏，视为商品不完好。",
            "For food, cosmetics and medical devices a broken one-time seal means the goods "
            "are no longer intact.",
            (seal.cite, C("CRPL", 25, 3)),
        )
    if measures and condition == "tags_removed":
        tags = _p("no_reason_return.tag_categories", on)
        return (
            "商标标识被摘除或剪掉，商品不完好。",
            "Tags or brand marks have been removed, so the goods are not intact.",
            (C("NRR", 8, 2), tags.cite),
        )
    return (
        "退回的商品应当完好；超出查验需要使用或损坏的商品不能无理由退货。",
        "Returned goods must be intact; goods used beyond inspection or damaged cannot be "
        "returned without reason.",
        (C("CRPL", 25, 3), *([C("NRR", 9)] if measures else [])),
    )


def _refund_penalty(f: CaseFacts, received: dt.date, on: dt.date) -> Decision:
    d = Decision("no-reason-return-refund-penalty")
    days = _p("no_reason_return.refund_penalty_days", on)
    limit = d.deadline("refund_penalty_after", days_after(received, days.value))
    refunded = f.claim.refunded_at
    late = (refunded is None and f.as_of > limit) or (refunded is not None and refunded > limit)
    if late:
        d.say(
            f"经营者自收到退货之日起超过{days.value}日（{limit}后）仍未退款，应受行政处罚。",
            f"The seller had not refunded more than {days.value} days after receiving the "
            f"return (after {limit}): a violation the regulator penalises.",
            days.cite,
        )
        return d.done("violation")
    if refunded is None:
        d.say(
            f"收到退货后{days.value}日的期限到{limit}为止，尚未届满。",
            f"The {days.value} days after the return arrived run until {limit} and have not "
            "yet passed.",
            days.cite,
        )
    else:
        d.say(
            f"退款未超过收到退货后的{days.value}日（{limit}）。",
            f"The refund came within {days.value} days of the return arriving ({limit}).",
            days.cite,
        )
    return d.done("no_violation")


def no_reason_return_2014(f: CaseFacts) -> list[Decision]:
    """CRPL 25 alone: before the Measures, an opened item was not 'intact'."""
    return _no_reason_return(f, measures=False, promise_binding=False, regulation=False)


def no_reason_return_2017(f: CaseFacts) -> list[Decision]:
    """CRPL 25 with the Measures (NRR): inspection allowed, category tests, 15-day penalties."""
    return _no_reason_return(f, measures=True, promise_binding=False, regulation=False)


def no_reason_return_2022(f: CaseFacts) -> list[Decision]:
    """SPC-ONLINE 2: a promise of returns for excepted goods binds the seller."""
    return _no_reason_return(f, measures=True, promise_binding=True, regulation=False)


def no_reason_return_2024(f: CaseFacts) -> list[Decision]:
    """CRPL-IR 19: without the buyer's confirmation at purchase the seller cannot refuse."""
    return _no_reason_return(f, measures=True, promise_binding=True, regulation=True)


# --- quality defects (CRPL 24, 23(3)) -----------------------------------------------------


def quality_defect_2014(f: CaseFacts) -> list[Decision]:
    on, claim, item = _paid(f), f.claim, f.purchase.item
    d = Decision("quality-defect")
    delivered = f.purchase.delivered_at
    window = _p("quality.return_window_days", on)
    if delivered is None:
        d.say(
            "商品尚未收到，质量问题退货以收到商品为前提；未发货或未送达可取消订单或投诉未交付。",
            "The goods have not been received, so there is nothing to return for a defect; "
            "cancel the order or complain that it was not delivered.",
            window.cite,
        )
        return [d.done("refused")]
    assert claim.requested_at is not None
    end = d.deadline("return_window_ends", days_after(delivered, window.value))
    in_window = within(claim.requested_at, end)
    d.duties.append(Duty("seller", "bear_transport_costs", "seller"))
    sought = claim.remedy_sought
    outcome = "granted"
    if sought == "return" and (in_window or claim.defect_defeats_purpose):
        d.remedies.append(Remedy("refund", "seller", _price(f)))
        d.remedies.append(Remedy("return_shipping", "seller"))
        if in_window:
            d.say(
                f"商品不符合质量要求，您在收货后{window.value}日内（{end}前）可以退货。",
                f"The goods are defective and you asked within {window.value} days of receipt "
                f"(by {end}), so you may return them.",
                window.cite,
            )
        else:
            d.say(
                "已过七日，但瑕疵致使不能实现合同目的，符合法定解除条件，仍可及时退货。",
                "The 7 days have passed, but the defect defeats the purpose of the purchase, "
                "which meets the statutory conditions to end the contract: you may still return.",
                window.cite,
            )
    elif sought == "return":
        d.remedies += [Remedy("replacement", "seller"), Remedy("repair", "seller")]
        d.say(
            f"已超过收货后{window.value}日（{end}），且瑕疵不影响合同目的，不能退货，但可以要求更换或修理。",
            f"More than {window.value} days have passed since receipt ({end}) and the defect "
            "does not defeat the purpose of the purchase: no return, but you may have the item "
            "replaced or repaired.",
            window.cite,
        )
        outcome = "partly_granted"
    else:
        d.remedies.append(Remedy(sought, "seller"))
        d.say(
            "商品不符合质量要求，您可以要求经营者"
            + ("更换。" if sought == "replacement" else "修理。"),
            f"The goods are defective: you may have them {'replaced' if sought == 'replacement' else 'repaired'}.",
            window.cite,
        )
    d.say(
        "退货、更换、修理的运输等必要费用由经营者承担。",
        "The seller pays transport and other necessary costs of the return, replacement or repair.",
        C("CRPL", 24, 2),
    )
    durable = _p("quality.durable_categories", on)
    if item.durable or item.category in durable.value:
        months = _p("quality.durable_burden_months", on)
        until = d.deadline("seller_burden_of_proof_until", months_after(delivered, months.value))
        if within(claim.requested_at, until):
            d.duties.append(Duty("seller", "prove_goods_not_defective"))
            d.say(
                f"耐用商品自收货之日起{months.value}个月内（{until}前）发现瑕疵的，由经营者承担举证责任。",
                f"For durable goods a defect found within {months.value} months of receipt "
                f"(by {until}) is for the seller to disprove.",
                months.cite,
            )
        else:
            d.say(
                f"已超过收货后{months.value}个月，瑕疵由您举证。",
                f"More than {months.value} months have passed since receipt: you must show "
                "the defect.",
                months.cite,
            )
    return [d.done(outcome)]


# --- fraud (CRPL 55(1), CRPL-IR 49) -------------------------------------------------------


def _fraud_damages(f: CaseFacts, d: Decision) -> list[Decision]:
    on, price = _paid(f), _price(f)
    mult, floor = _p("fraud.multiplier", on), _p("fraud.minimum_fen", on)
    damages = max(price * mult.value, floor.value)
    d.remedies.append(Remedy("refund", "seller", price))
    d.remedies.append(Remedy("punitive_damages", "seller", damages))
    if price * mult.value < floor.value:
        how_zh = f"价款的{mult.value}倍为{yuan(price * mult.value)}元，不足{yuan(floor.value)}元，按{yuan(floor.value)}元计"
        how_en = (
            f"{mult.value} times the price is {yuan(price * mult.value)} yuan, below the "
            f"{yuan(floor.value)}-yuan floor, so {yuan(floor.value)} yuan"
        )
    else:
        how_zh = f"为价款的{mult.value}倍，即{yuan(damages)}元"
        how_en = f"{mult.value} times the price: {yuan(damages)} yuan"
    d.say(
        f"经营者有欺诈行为，应退还价款{yuan(price)}元，并增加赔偿：{how_zh}。",
        f"The seller deceived you: it must refund the {yuan(price)} yuan price and pay extra "
        f"damages ({how_en}).",
        mult.cite,
        floor.cite,
    )
    return [d.done("granted")]


def _fabricated(f: CaseFacts, d: Decision, *cites: Citation) -> list[Decision]:
    d.say(
        "以夹带、掉包、造假等方式索赔的，不适用三倍赔偿。",
        "A claim built on planted, swapped or forged evidence gets no triple damages.",
        *cites,
    )
    return [d.done("refused")]


def fraud_2014(f: CaseFacts) -> list[Decision]:
    d = Decision("fraud-damages")
    if f.claim.evidence_fabricated:
        return _fabricated(f, d, C("CRPL", 55, 1))
    return _fraud_damages(f, d)


def fraud_2024(f: CaseFacts) -> list[Decision]:
    """CRPL-IR 49 (from 2024-07-01) excludes harmless label defects and forged claims."""
    d = Decision("fraud-damages")
    if f.claim.evidence_fabricated:
        return _fabricated(f, d, C("CRPL-IR", 49, 2))
    if f.claim.label_defect_only:
        d.say(
            "标签、说明书等的瑕疵不影响商品质量且不会造成误导的，不适用三倍赔偿。",
            "A flaw in labels, instructions or promotional material that does not affect "
            "quality and does not mislead gets no triple damages.",
            C("CRPL-IR", 49, 1),
            C("CRPL", 55, 1),
        )
        return [d.done("refused")]
    d.cite(C("CRPL-IR", 49, 1))
    return _fraud_damages(f, d)


# --- knowingly defective goods causing injury (CRPL 55(2)) --------------------------------


def defect_injury_2014(f: CaseFacts) -> list[Decision]:
    on, claim = _paid(f), f.claim
    d = Decision("defect-injury")
    if claim.injury == "none":
        d.say(
            "没有人身损害，不适用缺陷商品致害的赔偿规定。",
            "No one was hurt, so the rule on defective goods causing injury does not apply.",
            C("CRPL", 55, 2),
        )
        return [d.done("refused")]
    d.remedies.append(Remedy("compensation", "seller", claim.losses_fen))
    d.say(
        f"经营者应赔偿医疗费、误工减少的收入等损失{yuan(claim.losses_fen)}元。",
        f"The seller must make good the medical costs, lost income and other losses: "
        f"{yuan(claim.losses_fen)} yuan.",
        C("CRPL", 49),
    )
    mult = _p("defect_injury.max_multiplier_of_losses", on)
    if claim.seller_knew and claim.injury == "death_or_serious":
        d.remedies.append(
            Remedy("punitive_damages", "seller", claim.losses_fen * mult.value, up_to=True)
        )
        d.say(
            f"经营者明知缺陷仍然提供，造成死亡或健康严重损害，您还可以要求所受损失{mult.value}倍以下的惩罚性赔偿（最高{yuan(claim.losses_fen * mult.value)}元）。",
            "The seller knew of the defect and still supplied the goods, causing death or "
            f"serious harm: you may also claim punitive damages of up to {mult.value} times "
            f"the losses ({yuan(claim.losses_fen * mult.value)} yuan).",
            mult.cite,
        )
        return [d.done("granted")]
    d.say(
        "惩罚性赔偿要求经营者明知缺陷，且造成死亡或健康严重损害。",
        "Punitive damages need a seller who knew of the defect and death or serious harm "
        "to health.",
        mult.cite,
    )
    return [d.done("partly_granted")]


# --- unsafe food (FSL 148) ----------------------------------------------------------------


def unsafe_food_2015(f: CaseFacts) -> list[Decision]:
    on, claim, price = _paid(f), f.claim, _price(f)
    d = Decision("unsafe-food")
    if f.purchase.item.category != "food":
        d.say(
            "该商品不是食品，不适用食品安全法的十倍赔偿。",
            "The item is not food, so the Food Safety Law's ten-fold damages do not apply.",
            C("FSL", 148, 2),
        )
        return [d.done("refused")]
    d.remedies.append(Remedy("refund", "seller", price))
    d.say(
        "不符合食品安全标准的食品不符合质量要求，可以退货退款。",
        "Food that fails safety standards is defective goods: you may return it for a refund.",
        C("CRPL", 24, 1),
    )
    if claim.losses_fen:
        d.remedies.append(Remedy("compensation", "seller", claim.losses_fen))
        d.say(
            f"经营者或生产者应赔偿您的损失{yuan(claim.losses_fen)}元，首先被要求的一方应先行赔付。",
            f"The seller or producer must pay your losses of {yuan(claim.losses_fen)} yuan; "
            "whichever you ask first must pay first.",
            C("FSL", 148, 1),
        )
    if claim.label_defect_only:
        d.say(
            "仅标签、说明书存在不影响食品安全且不会造成误导的瑕疵，不适用十倍赔偿。",
            "The only flaw is in the label or instructions, does not affect safety and does "
            "not mislead: no ten-fold damages.",
            C("FSL", 148, 2),
        )
        return [d.done("partly_granted")]
    if f.purchase.seller.role != "producer" and not claim.seller_knew:
        d.say(
            "十倍赔偿针对生产者，或明知食品不符合安全标准仍然销售的经营者；没有证据表明销售者明知。",
            "Ten-fold damages are owed by the producer, or by a seller who knew the food "
            "failed safety standards; nothing shows this seller knew.",
            C("FSL", 148, 2),
        )
        return [d.done("partly_granted")]
    pm, lm = _p("unsafe_food.price_multiplier", on), _p("unsafe_food.losses_multiplier", on)
    floor = _p("unsafe_food.minimum_fen", on)
    damages = max(price * pm.value, claim.losses_fen * lm.value, floor.value)
    d.remedies.append(Remedy("punitive_damages", f.purchase.seller.role or "seller", damages))
    d.say(
        f"您还可以要求价款{pm.value}倍或损失{lm.value}倍的赔偿金，不足{yuan(floor.value)}元的按{yuan(floor.value)}元计：{yuan(damages)}元。",
        f"You may also claim {pm.value} times the price or {lm.value} times the losses, at "
        f"least {yuan(floor.value)} yuan: {yuan(damages)} yuan.",
        pm.cite,
        lm.cite,
        floor.cite,
    )
    return [d.done("granted")]


# --- pre-sale earnest money (CC 586, 587) -------------------------------------------------


def presale_deposit_2021(f: CaseFacts) -> list[Decision]:
    on = _paid(f)
    pre = f.purchase.presale
    assert pre is not None
    d = Decision("presale-deposit")
    cap_pct = _p("earnest_money.cap_percent", on)
    cap = pre.total_price_fen * cap_pct.value // 100
    earnest = min(pre.deposit_fen, cap)
    excess = pre.deposit_fen - earnest
    if excess:
        d.say(
            f"定金不得超过合同总价的{cap_pct.value}%（{yuan(cap)}元），超出的{yuan(excess)}元不产生定金效力，应当退还。",
            f"Earnest money may not exceed {cap_pct.value}% of the contract price "
            f"({yuan(cap)} yuan); the {yuan(excess)} yuan above that is an ordinary "
            "prepayment and comes back.",
            cap_pct.cite,
        )
    if pre.defaulting_party == "seller":
        mult = _p("earnest_money.receiver_default_multiplier", on)
        amount = earnest * mult.value + excess
        d.remedies.append(Remedy("deposit_return", "seller", amount))
        d.say(
            f"商家未履行预售合同，应双倍返还定金：{yuan(earnest)}元×{mult.value}"
            + (f"，另退还超出部分{yuan(excess)}元" if excess else "")
            + f"，共{yuan(amount)}元。",
            f"The seller failed to perform, so it returns the earnest money {mult.value} times "
            f"over: {yuan(earnest)} × {mult.value}"
            + (f" plus the {yuan(excess)} yuan excess" if excess else "")
            + f", {yuan(amount)} yuan in all.",
            mult.cite,
        )
        return [d.done("granted")]
    if pre.defaulting_party == "buyer":
        d.say(
            f"您未支付尾款致使合同目的不能实现，定金{yuan(earnest)}元不予返还。",
            f"You did not pay the balance, so the {yuan(earnest)} yuan earnest money is forfeited.",
            C("CC", 587),
        )
        if excess:
            d.remedies.append(Remedy("deposit_return", "seller", excess))
            return [d.done("partly_granted")]
        return [d.done("refused")]
    if pre.balance_paid:
        d.say(
            "合同已履行，定金抵作价款。",
            "The contract was performed: the earnest money counts towards the price.",
            C("CC", 587),
        )
        return [d.done("no_violation")]
    d.remedies.append(Remedy("deposit_return", "seller", pre.deposit_fen))
    d.say(
        "双方均无违约而合同未履行，定金应当收回。",
        "Neither side defaulted and the contract was not performed: the deposit comes back.",
        C("CC", 587),
    )
    return [d.done("granted")]


# --- reference prices (PRICE 16) ----------------------------------------------------------


def reference_price_2022(f: CaseFacts) -> list[Decision]:
    on = _paid(f)
    ref = f.purchase.reference_price
    assert ref is not None
    d = Decision("reference-price")
    days = _p("reference_price.lookback_days", on)
    basis: int | None
    if ref.lowest_in_previous_7_days_fen is not None:
        basis, zh_b, en_b = (
            ref.lowest_in_previous_7_days_fen,
            f"前{days.value}日内的最低成交价",
            f"the lowest price actually charged in the previous {days.value} days",
        )
    else:
        basis, zh_b, en_b = (
            ref.last_transaction_fen,
            "前最后一次交易价格",
            "the last price actually charged",
        )
    if basis is None:
        d.say(
            "没有任何成交记录，标示的被比较价格没有依据。",
            "There was no sale at any price, so the struck-through price has no basis.",
            days.cite,
        )
        return [d.done("violation")]
    if ref.shown_fen > basis:
        d.say(
            f"标示的被比较价格{yuan(ref.shown_fen)}元高于{zh_b}{yuan(basis)}元，构成虚假价格比较。",
            f"The struck-through price of {yuan(ref.shown_fen)} yuan is above {en_b} "
            f"({yuan(basis)} yuan): a false price comparison.",
            days.cite,
        )
        return [d.done("violation")]
    d.say(
        f"标示的被比较价格{yuan(ref.shown_fen)}元不高于{zh_b}{yuan(basis)}元。",
        f"The struck-through price of {yuan(ref.shown_fen)} yuan is not above {en_b} "
        f"({yuan(basis)} yuan).",
        days.cite,
    )
    return [d.done("no_violation")]


# --- a seller's registration duty (ECL 10, OTSM 8) ----------------------------------------

_LICENSED = ("food", "medical_device")


def _registered_entity(f: CaseFacts, d: Decision) -> list[Decision] | None:
    if f.purchase.seller.kind != "individual":
        d.say(
            "个体工商户和企业属于市场主体，应当依法办理登记。",
            "Individual businesses and companies are market entities and must be registered.",
            C("ECL", 10),
        )
        return [d.done("registration_required")]
    return None


def seller_registration_2019(f: CaseFacts) -> list[Decision]:
    """ECL 10 alone: 'sporadic small-value' had no number before OTSM 8."""
    d = Decision("seller-registration")
    entity = _registered_entity(f, d)
    if entity is not None:
        return entity
    if f.purchase.seller.sells_continuously:
        d.say(
            "个人持续以营利为目的销售，不属于零星小额交易，应当办理登记。",
            "An individual selling repeatedly for profit is not making sporadic small sales "
            "and must register.",
            C("ECL", 10),
        )
        return [d.done("registration_required")]
    d.say(
        "个人零星小额交易不需要办理市场主体登记。",
        "An individual making sporadic small sales need not register.",
        C("ECL", 10),
    )
    return [d.done("registration_exempt")]


def seller_registration_2021(f: CaseFacts) -> list[Decision]:
    d = Decision("seller-registration")
    entity = _registered_entity(f, d)
    if entity is not None:
        return entity
    cap = _p("registration.small_trader_cap_fen", f.as_of)
    if f.purchase.item.category in _LICENSED:
        d.say(
            "销售该类商品须取得行政许可，即使是零星小额交易也应当办理登记。",
            "Selling these goods needs a licence, so even small sales must be registered.",
            cap.cite,
        )
        return [d.done("registration_required")]
    sales = f.purchase.seller.annual_sales_fen or 0
    if sales <= cap.value:
        d.say(
            f"个人年交易额累计{yuan(sales)}元（各网店合并计算），不超过{yuan(cap.value)}元，不需要办理登记。",
            f"The individual's sales over the year, all shops added up, are {yuan(sales)} "
            f"yuan, not over {yuan(cap.value)} yuan: no registration needed.",
            C("ECL", 10),
            cap.cite,
        )
        return [d.done("registration_exempt")]
    d.say(
        f"个人年交易额累计{yuan(sales)}元（各网店合并计算），超过{yuan(cap.value)}元，应当办理市场主体登记。",
        f"The individual's sales over the year, all shops added up, are {yuan(sales)} yuan, "
        f"over {yuan(cap.value)} yuan: registration is required.",
        C("ECL", 10),
        cap.cite,
    )
    return [d.done("registration_required")]


# --- the platform that cannot name the seller (CRPL 44) -----------------------------------


def platform_liability_2014(f: CaseFacts) -> list[Decision]:
    d = Decision("platform-liability")
    if f.purchase.platform_identified_seller:
        d.say(
            "平台能够提供销售者的真实名称、地址和有效联系方式，应向销售者索赔。",
            "The platform can give the seller's real name, address and valid contact "
            "details, so the claim lies against the seller.",
            C("CRPL", 44, 1),
        )
        return [d.done("refused")]
    amount = _price(f) + f.claim.losses_fen
    d.remedies.append(Remedy("compensation", "platform", amount))
    d.say(
        f"平台不能提供销售者的真实名称、地址和有效联系方式，您可以要求平台赔偿{yuan(amount)}元；平台赔偿后可向销售者追偿。",
        "The platform cannot give the seller's real name, address and valid contact details, "
        f"so you may claim {yuan(amount)} yuan from the platform, which may then recover it "
        "from the seller.",
        C("CRPL", 44, 1),
    )
    return [d.done("granted")]


# --- prepaid goods not supplied (CRPL 53) -------------------------------------------------


def not_supplied_2014(f: CaseFacts) -> list[Decision]:
    """The buyer paid first (as every social-commerce buyer does) and the goods never came."""
    d = Decision("not-supplied")
    if f.purchase.delivered_at is not None:
        d.say(
            "商品已经交付；对商品本身的问题，应按质量问题或与描述不符处理。",
            "The goods were delivered; a problem with the goods themselves is a quality or "
            "description claim.",
            C("CRPL", 53),
        )
        return [d.done("refused")]
    price, losses = _price(f), f.claim.losses_fen
    d.remedies.append(Remedy("refund", "seller", price))
    if losses:
        d.remedies.append(Remedy("compensation", "seller", losses))
    d.say(
        f"您已预先付款，经营者未按约定提供商品，您可以要求退回预付款{yuan(price)}元，"
        "并由经营者承担预付款的利息"
        + (f"和您必须支付的合理费用{yuan(losses)}元。" if losses else "。"),
        f"You paid in advance and the seller did not supply the goods as agreed: you may "
        f"have the {yuan(price)} yuan back, with interest"
        + (f", and the reasonable costs you had to pay ({yuan(losses)} yuan)." if losses else "."),
        C("CRPL", 53),
    )
    return [d.done("granted")]


def _d(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


# --- before a rule's first version ---------------------------------------------------------

# Short Chinese names of the statutes a first version rests on, for the reasons.
_NAMES_ZH = {
    "CRPL": "消费者权益保护法",
    "FSL": "食品安全法",
    "CC": "民法典",
    "PRICE": "明码标价和禁止价格欺诈规定",
    "ECL": "电子商务法",
}


def _cite_zh(c: Citation) -> str:
    para = f"第{c.paragraph}款" if c.paragraph is not None else ""
    return f"《{_NAMES_ZH[c.statute]}》第{c.article}条{para}"


def _not_yet(rule: str, field: str, since: dt.date, cite: Citation, zh: str, en: str) -> Rule:
    """The rule for a case dated before `since`, the first day of the earliest version Anxin
    holds: the case is decided as the law then stood, which did not yet give what is claimed
    as `cite` gives it, so the claim is refused, saying from when it exists. (An older text
    may have given something like it; Anxin holds the law from `since`.)"""

    def decide(f: CaseFacts) -> list[Decision]:
        obj: object = f
        for part in field.split("."):
            obj = getattr(obj, part)
        assert isinstance(obj, dt.date)  # the version field is a required date
        d = Decision(rule)
        d.say(
            f"本案以{obj}为准，早于{since}。{zh}自{since}起依{_cite_zh(cite)}产生，"
            "当时尚无此项权利，不予支持。",
            f"This case is dated {obj}, before {since}: {en} exists from {since} under "
            f"{cite}, so on {obj} there was no such right yet and the claim is refused.",
            cite,
        )
        return [d.done("refused")]

    return decide


# Claim kind -> (its decision's name, the right as its first version's article gives it).
_FIRST_RIGHTS: dict[str, tuple[str, Citation, str, str]] = {
    "no_reason_return": (
        "no-reason-return",
        C("CRPL", 25, 1),
        "七日无理由退货的权利",
        "the right to return goods bought at a distance within seven days without a reason",
    ),
    "quality_defect": (
        "quality-defect",
        C("CRPL", 24, 1),
        "商品不符合质量要求时退货、更换、修理的权利",
        "the right to return, replace or repair goods that fail quality requirements",
    ),
    "fraud": (
        "fraud-damages",
        C("CRPL", 55, 1),
        "经营者欺诈时请求增加赔偿的权利",
        "the right to increased damages for a seller's fraud",
    ),
    "defect_injury": (
        "defect-injury",
        C("CRPL", 55, 2),
        "明知缺陷仍然销售造成损害时请求惩罚性赔偿的权利",
        "the right to punitive damages for injury from a defect the seller knew of",
    ),
    "unsafe_food": (
        "unsafe-food",
        C("FSL", 148, 2),
        "购买不符合食品安全标准的食品时请求价款十倍或者损失三倍赔偿的权利",
        "the right to ten times the price or three times the losses for food below the "
        "safety standards",
    ),
    "presale_deposit": (
        "presale-deposit",
        C("CC", 587),
        "定金罚则下的权利",
        "the right under the earnest-money rule",
    ),
    "reference_price": (
        "reference-price",
        C("PRICE", 16, 2),
        "要求被比较价格以前七日内最低成交价为限的权利",
        "the right to a struck-through price no higher than the lowest price of the previous "
        "seven days",
    ),
    "seller_registration": (
        "seller-registration",
        C("ECL", 10),
        "要求电子商务经营者办理市场主体登记的权利",
        "the right to require an online seller to register as a market entity",
    ),
    "platform_liability": (
        "platform-liability",
        C("CRPL", 44, 1),
        "要求不能提供销售者真实信息的平台赔偿的权利",
        "the right to claim from a platform that cannot identify the seller",
    ),
    "not_supplied": (
        "not-supplied",
        C("CRPL", 53),
        "预付款后未获供货时要求退款的权利",
        "the right to the advance back, with interest, when prepaid goods are not supplied",
    ),
}


# Claim kind -> (the date that picks the version, [(first day, rule), ...] oldest first): the
# versions Anxin holds.
_HELD: dict[str, tuple[str, list[tuple[dt.date, Rule]]]] = {
    "no_reason_return": (
        "purchase.paid_at",
        [
            (_d("2014-03-15"), no_reason_return_2014),
            (_d("2017-03-15"), no_reason_return_2017),
            (_d("2022-03-15"), no_reason_return_2022),
            (_d("2024-07-01"), no_reason_return_2024),
        ],
    ),
    "quality_defect": ("purchase.paid_at", [(_d("2014-03-15"), quality_defect_2014)]),
    "fraud": (
        "purchase.paid_at",
        [(_d("2014-03-15"), fraud_2014), (_d("2024-07-01"), fraud_2024)],
    ),
    "defect_injury": ("purchase.paid_at", [(_d("2014-03-15"), defect_injury_2014)]),
    "unsafe_food": ("purchase.paid_at", [(_d("2015-10-01"), unsafe_food_2015)]),
    "presale_deposit": ("purchase.paid_at", [(_d("2021-01-01"), presale_deposit_2021)]),
    "reference_price": ("purchase.paid_at", [(_d("2022-07-01"), reference_price_2022)]),
    "seller_registration": (
        "as_of",
        [
            (_d("2019-01-01"), seller_registration_2019),
            (_d("2021-05-01"), seller_registration_2021),
        ],
    ),
    "platform_liability": ("purchase.paid_at", [(_d("2014-03-15"), platform_liability_2014)]),
    "not_supplied": ("purchase.paid_at", [(_d("2014-03-15"), not_supplied_2014)]),
}


def _from_the_start(kind: str) -> tuple[str, list[tuple[dt.date, Rule]]]:
    field, held = _HELD[kind]
    name, cite, zh, en = _FIRST_RIGHTS[kind]
    first = _not_yet(name, field, held[0][0], cite, zh, en)
    return field, [(dt.date.min, first), *held]


# The versions Anxin holds and, before the first, the law as it then stood (no such right
# yet), so that a case of any date is decided rather than rejected.
VERSIONS: dict[str, tuple[str, list[tuple[dt.date, Rule]]]] = {
    kind: _from_the_start(kind) for kind in _HELD
}
