"""One hand-written news-style sentence per language, with inflected country names.

Each case: (language, sentence, ISO codes of the countries it names). The sentences were written
for these tests (they are not taken from any corpus); most put a name in an inflected form.
"""

from __future__ import annotations

CASES: list[tuple[str, str, set[str]]] = [
    ("en", "Russian and Chinese diplomats met their American counterparts.", {"RU", "CN", "US"}),
    ("hi", "रूस और चीन ने अमेरिका के साथ समझौते पर हस्ताक्षर किए।", {"RU", "CN", "US"}),
    (
        "ru",
        "Министр иностранных дел России обсудил с послом Китая санкции США.",
        {"RU", "CN", "US"},
    ),
    ("zh", "俄罗斯和中国与美国签署了协议。", {"RU", "CN", "US"}),
    (
        "de",
        "Russlands Regierung und die chinesische Führung kritisierten die USA.",
        {"RU", "CN", "US"},
    ),
    ("fr", "La Russie et la Chine ont signé un accord avec les États-Unis.", {"RU", "CN", "US"}),
    ("es", "Rusia y China firmaron un acuerdo con Estados Unidos.", {"RU", "CN", "US"}),
    ("it", "La Russia e la Cina hanno firmato un accordo con gli Stati Uniti.", {"RU", "CN", "US"}),
    ("pt", "A Rússia e a China assinaram um acordo com os Estados Unidos.", {"RU", "CN", "US"}),
    ("ar", "وقعت روسيا والصين اتفاقا مع الولايات المتحدة.", {"RU", "CN", "US"}),
    ("fa", "روسیه و چین با ایالات متحده توافق کردند.", {"RU", "CN", "US"}),
    ("ur", "روس اور چین نے امریکہ کے ساتھ معاہدہ کیا۔", {"RU", "CN", "US"}),
    (
        "tr",
        "Rusya ve Çin, ABD ile anlaşma imzaladı; Rusya'nın açıklaması geldi.",
        {"RU", "CN", "US"},
    ),
    (
        "uk",
        "Міністр закордонних справ Росії обговорив із послом Китаю санкції США.",
        {"RU", "CN", "US"},
    ),
    (
        "pl",
        "Minister spraw zagranicznych Rosji rozmawiał z ambasadorem Chin o Stanach Zjednoczonych.",
        {"RU", "CN", "US"},
    ),
    ("nl", "Rusland en China tekenden een akkoord met de Verenigde Staten.", {"RU", "CN", "US"}),
    ("sv", "Ryssland och Kina undertecknade ett avtal med USA.", {"RU", "CN", "US"}),
    ("da", "Rusland og Kina underskrev en aftale med USA.", {"RU", "CN", "US"}),
    ("nb", "Russland og Kina signerte en avtale med USA.", {"RU", "CN", "US"}),
    ("fi", "Venäjän ja Kiinan ulkoministerit tapasivat Yhdysvalloissa.", {"RU", "CN", "US"}),
    ("hu", "Oroszország és Kína megállapodást írt alá az Egyesült Államokkal.", {"RU", "CN", "US"}),
    (
        "cs",
        "Ministr zahraničí Ruska jednal s velvyslancem Číny o Spojených státech.",
        {"RU", "CN", "US"},
    ),
    ("sk", "Minister zahraničných vecí Ruska rokoval s veľvyslancom Číny.", {"RU", "CN"}),
    ("ro", "Rusia și China au semnat un acord cu Statele Unite.", {"RU", "CN", "US"}),
    ("bg", "Русия и Китай подписаха споразумение със САЩ.", {"RU", "CN", "US"}),
    ("sr", "Русија и Кина потписале су споразум.", {"RU", "CN"}),
    ("hr", "Ministar vanjskih poslova Rusije razgovarao je s veleposlanikom Kine.", {"RU", "CN"}),
    ("el", "Ο υπουργός Εξωτερικών της Ρωσίας συναντήθηκε με τον πρέσβη της Κίνας.", {"RU", "CN"}),
    ("he", "רוסיה וסין חתמו על הסכם עם ארצות הברית.", {"RU", "CN", "US"}),
    ("bn", "রাশিয়ার পররাষ্ট্রমন্ত্রী চীনের রাষ্ট্রদূতের সঙ্গে বৈঠক করেছেন।", {"RU", "CN"}),
    (
        "id",
        "Rusia dan Tiongkok menandatangani perjanjian dengan Amerika Serikat.",
        {"RU", "CN", "US"},
    ),
    (
        "ms",
        "Rusia dan China menandatangani perjanjian dengan Amerika Syarikat.",
        {"RU", "CN", "US"},
    ),
    ("vi", "Nga và Trung Quốc đã ký thỏa thuận với Hoa Kỳ.", {"RU", "CN", "US"}),
    ("ja", "ロシアと中国は米国と協定に署名した。", {"RU", "CN", "US"}),
    ("ko", "러시아와 중국은 미국과 협정을 체결했다.", {"RU", "CN", "US"}),
    ("th", "รัสเซียและจีนลงนามข้อตกลงกับสหรัฐอเมริกา", {"RU", "CN", "US"}),
    (
        "is",
        "Utanríkisráðherra Rússlands ræddi við sendiherra Kína um Bandaríkin.",
        {"RU", "CN", "US"},
    ),
]
