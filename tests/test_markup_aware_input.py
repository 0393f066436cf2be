"""Template markup (Hugo shortcodes, mdBook directives, heading anchors, comments) is not text."""

from __future__ import annotations

from termalign.align.markdown_reader import blank_template_markup
from termalign.align.reader import read_string

ZH_PAGE = """---
title: 服务质量
---
<!--
title: Quality of Service
-->

## QoS 类 {#qos-class}

<!--
Kubernetes classifies the Pods that you run.
-->
Kubernetes 基于 Pod 中的{{< glossary_tooltip text="容器" term_id="container" >}}进行分类，
使用 for 循环。

{{< note >}}
这是{{< glossary_tooltip
text="注解" term_id="annotation" >}}。
{{< /note >}}

{{#include ../listings/main.rs}}

```yaml
kind: Pod
```
"""


def _texts(doc):
    return [s.text for b in doc.blocks for s in b.sentences]


def test_blanking_keeps_length_and_lines_of_kept_text():
    src = 'a {{< glossary_tooltip text="容器" term_id="container" >}} b {{% heading "next" %}}'
    out = blank_template_markup(src)
    assert len(out) == len(src)
    assert out.index("容器") == src.index("容器")
    assert "term_id" not in out and "container" not in out and "heading" not in out


def test_reader_drops_comments_shortcodes_anchors_and_code():
    doc = read_string(ZH_PAGE, path="page.md", lang="zh")
    text = " ".join(_texts(doc))
    for leaked in (
        "classifies",
        "Quality of Service",
        "term_id",
        "container",
        "annotation",
        "{#",
        "{{",
        "listings",
        "kind: Pod",
        "note",
    ):
        assert leaked not in text, leaked
    assert "QoS 类" in text
    assert "容器" in text and "注解" in text
    assert "for 循环" in text  # Latin-Chinese spacing kept as written


def test_multiline_shortcode_does_not_split_the_paragraph():
    text = '这是{{< glossary_tooltip\ntext="注解" term_id="annotation" >}}。\n'
    doc = read_string(text, path="p.md", lang="zh")
    assert len(doc.blocks) == 1
    assert "注解" in doc.blocks[0].sentences[0].text


def test_a_shortcode_that_ends_its_line_does_not_end_the_sentence():
    # blanked to spaces, the tag would leave two trailing spaces: a hard line break in CommonMark
    tag = '{{< glossary_tooltip text="Quality of Service" term_id="qos-class" >}}'
    en = f"This is known as {tag}\n(QoS) class.\n"
    doc = read_string(en, path="p.md", lang="en")
    [sentence] = [s for b in doc.blocks for s in b.sentences]
    assert sentence.text == "This is known as Quality of Service (QoS) class."
    assert doc.text[sentence.start : sentence.end] == en.strip()  # its span covers the whole tag
    zh = '这些\n{{< glossary_tooltip text="对象" term_id="object" >}}\n有一个字段。\n'
    assert _texts(read_string(zh, path="p.md", lang="zh")) == ["这些对象有一个字段。"]  # lines join, no space
    hard = "A line with a real hard break  \nand the next line.\n"  # two spaces the author typed still count
    assert _texts(read_string(hard, path="p.md", lang="en"))[0] == "A line with a real hard break"
