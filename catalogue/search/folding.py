"""Words as the catalogue's neutral analysis keeps them: lower case, accents folded, no stemming.

The query parser folds a visitor's words with these, so any search backend gets
the same words; the table is the one the index's neutral analyzer folds with, and a test
holds the two equal over every code point.
"""
from __future__ import annotations

import re

_WORD = re.compile(r"\w+(\.?\w+)*")
"""A word: letters and digits, with inner dots kept ("J.S.Bach", "1.5")."""

_FOLDED = {
    '0': '０',
    '1': '１',
    '2': '２',
    '3': '３',
    '4': '４',
    '5': '５',
    '6': '６',
    '7': '７',
    '8': '８',
    '9': '９',
    'A': 'Ａ',
    'B': 'Ｂ',
    'C': 'Ｃ',
    'D': 'Ｄ',
    'E': 'Ｅ',
    'F': 'Ｆ',
    'G': 'Ｇ',
    'H': 'Ｈ',
    'I': 'Ｉ',
    'J': 'Ｊ',
    'K': 'Ｋ',
    'L': 'Ｌ',
    'M': 'Ｍ',
    'N': 'Ｎ',
    'O': 'Ｏ',
    'P': 'Ｐ',
    'Q': 'Ｑ',
    'R': 'Ｒ',
    'S': 'Ｓ',
    'T': 'Ｔ',
    'U': 'Ｕ',
    'V': 'Ｖ',
    'W': 'Ｗ',
    'X': 'Ｘ',
    'Y': 'Ｙ',
    'Z': 'Ｚ',
    'a': (
        'ÀÁÂÃÄÅàáâãäåĀāĂăĄąĹǍǎǞǟǠǡǢǣǺǻǼǽȀȁȂȃȦȧȺḀḁẚẠạẢảẤấẦầẨẩẪẫẬậẮắẰằẲ'
        'ẳẴẵẶặⱥａ'
    ),
    'b': 'ƀƁƂƃɃɓᵬḂḃḄḅḆḇｂ',
    'c': 'ÇçĆćĈĉĊċČčƇƈȻȼɕḈḉｃ',
    'd': 'ðĎďĐđƉƊƋƌȡɖɗᵭḊḋḌḍḎḏḐḑḒḓｄ',
    'e': 'ÈÉÊËèéêëĒēĔĕĖėĘęĚěƎƏǝȄȅȆȇȨȩɆɇɚɝḔḕḖḗḘḙḚḛḜḝẸẹẺẻẼẽẾếỀềỂểỄễỆệｅ',
    'f': 'ƑƒᵮḞḟｆ',
    'g': 'ĜĝĞğĠġĢģƓǤǥǦǧǴǵɠḠḡｇ',
    'h': 'HĤĥĦħȞẖ̌ḢḣḤḥḦḧḨḩḪḫẖⱧⱨｈ',
    'i': 'IiÌÍÎÏìíîïĨĩĪīĬĭĮįİıƗǏǐȈȉȊȋɨḬḭḮḯỈỉỊịｉ',
    'j': 'JĴĵǰȷɈɉɟʄʝ̌ｊ',
    'k': 'ĶķƘƙǨǩḰḱḲḳḴḵⱩⱪｋ',
    'l': 'ĺĻļĽľĿŀŁłƚȴȽɫɬɭ̣ḶḷḸḹḺḻḼḽⱠⱡⱢｌ',
    'm': 'ɱḾḿṀṁṂṃｍ',
    'n': 'NnÑñŃńŅņŇňƝƞǸǹȠȵɲɳṄṅṆṇṈṉṊṋｎ',
    'o': (
        'ÒÓÔÕÖØòóôõöøŌōŎŏŐőƟƠơǑǒǪǫǬǭǾǿȌȍȎȏȪȫȬȭȮȯȰȱɵṌṍṎṏṐṑṒṓỌọỎỏỐốỒồỔổ'
        'ỖỗỘộỚớỜờỞởỠỡỢợｏ'
    ),
    'p': 'PpƤƥ̃ṔṕṖṗⱣｐ',
    'q': 'Ɋɋʠｑ',
    'r': 'ŔŕŖŗŘřȐȑȒȓɌɍɼɽɾᵲᵳṘṙṚṛṜṝṞṟⱤｒ',
    's': 'SsßŚśŜŝŞşŠšȘșʂ̩ṠṡṢṣṤṥṦṧṨṩẛｓ',
    't': 'TÞþŢţŤťŦŧƫƬƭƮȚțȶȾʈ̈ᵵṪṫṬṭṮṯṰṱẗⱦｔ',
    'u': (
        'ÙÚÛÜùúûüŨũŪūŬŭŮůŰűŲųƯưǓǔǕǖǗǘǙǚǛǜȔȕȖȗɄʉṲṳṴṵṶṷṸṹṺṻỤụỦủỨứỪừỬửỮữ'
        'Ựựｕ'
    ),
    'v': 'ƲʋṼṽṾṿｖ',
    'w': 'WŴŵẀẁẂẃẄẅẆẇẈẉẘｗ',
    'x': 'ẊẋẌẍｘ',
    'y': 'YÝýÿŶŷŸƳƴȲȳɎɏʏ̊ẎẏẙỲỳỴỵỶỷỸỹｙ',
    'z': 'ŹźŻżŽžƵƶƺǮǯȤȥʐʑẐẑẒẓẔẕⱫⱬｚ',
}
_FOLD = str.maketrans({char: plain for plain, chars in _FOLDED.items() for char in chars})


def fold(text: str) -> str:
    """``text`` in lower case with its accents folded ("Géricault" -> "gericault")."""
    return text.lower().translate(_FOLD)


def words(text: str) -> list[str]:
    """The folded words of ``text``, in order."""
    return [fold(match.group()) for match in _WORD.finditer(text)]
