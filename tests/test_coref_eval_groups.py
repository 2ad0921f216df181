"""Document grouping of the ECB+ evaluation (evaluate/docgroups.py): types
first, then instances inside a type, told apart by names and numbers."""
from crosswire.datasets.ecbplus import EcbDoc
from crosswire.evaluate.coref import document_groups
from crosswire.evaluate.docgroups import group_documents, names_and_numbers

QUAKE_A = ("A magnitude {m} earthquake struck near Concepcion in Chile on Saturday , killing {k} people . "
           "Bridges fell along the coast and a tsunami flooded Talcahuano harbour . "
           "President Bachelet declared a catastrophe zone in Maule .")
QUAKE_B = ("Haiti counted {k} dead after the earthquake of magnitude {m} flattened Port-au-Prince on Tuesday . "
           "The cathedral and the national palace collapsed ; aid flights landed at Toussaint Louverture airport . "
           "Preval slept outdoors while UN peacekeepers searched for survivors .")
REHAB = ("The actress Lohan checked into a rehab clinic in Malibu , her lawyer Holley said on {d} . "
         "Lohan must stay at the clinic for {k} days under the plea deal .")


def _doc(name: str, text: str) -> EcbDoc:
    tokens, sent = {}, 0
    for t, w in enumerate(text.split()):
        tokens[t] = (sent, w)
        if w == ".":
            sent += 1
    return EcbDoc(name=name, tokens=tokens)


def _docs() -> list[EcbDoc]:
    return ([_doc(f"q{k}a.xml", QUAKE_A.format(m="8.8", k=700 + k)) for k in range(3)]
            + [_doc(f"q{k}b.xml", QUAKE_B.format(m="7.0", k=200 + k)) for k in range(3)]
            + [_doc(f"r{k}.xml", REHAB.format(d="Thursday", k=90)) for k in range(2)])


def test_names_and_numbers_skips_sentence_openers():
    assert names_and_numbers([["The", "quake", "hit", "Chile", "at", "8.8"], ["Rescue", "teams", "came"]]) \
        == "chile 8.8"


def test_instances_of_one_event_type_get_their_own_groups():
    groups = document_groups(_docs())
    parts = {frozenset(n for n in groups if groups[n] == g) for g in groups.values()}
    assert parts == {frozenset({"q0a.xml", "q1a.xml", "q2a.xml"}), frozenset({"q0b.xml", "q1b.xml", "q2b.xml"}),
                     frozenset({"r0.xml", "r1.xml"})}


def test_group_documents_handles_tiny_and_empty_inputs():
    assert group_documents([], [], []) == {}
    assert group_documents(["a"], ["some words here"], [""]) == {"a": "a"}
    assert group_documents(["a", "b"], ["", ""], ["", ""]) == {"a": "a", "b": "b"}
