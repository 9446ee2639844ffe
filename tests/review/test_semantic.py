"""The pure diff engine: field paths, named lists, renames, risk tags, Secret redaction,
markdown splitting."""

from __future__ import annotations

from gitops.review.diff import Obj, diff, field_changes, redact
from gitops.review.render import Meta, markdown, to_json

META = Meta(base="main", base_commit="a" * 40, head="worktree", head_commit=None)


def obj(name: str, body: dict, env: str = "dev", kind: str = "ConfigMap", group: str = "") -> Obj:  # type: ignore[type-arg]
    full = {"apiVersion": "v1", "kind": kind, "metadata": {"name": name, "namespace": "ns"}, **body}
    return Obj(env, "app", group, kind, "ns", name, f"rendered/{env}/app/{name}.yaml", full)


def test_named_lists_match_by_name_and_other_lists_by_index() -> None:
    old = {
        "containers": [{"name": "a", "image": "x:1"}, {"name": "b", "image": "y:1"}],
        "args": ["1", "2"],
    }
    new = {
        "containers": [{"name": "b", "image": "y:2"}, {"name": "a", "image": "x:1"}],
        "args": ["2", "1"],
    }
    changes = [(f.path, f.old, f.new) for f in field_changes(old, new)]
    assert changes == [
        ("args[0]", "1", "2"),
        ("args[1]", "2", "1"),
        ("containers[b].image", "y:1", "y:2"),
    ]


def test_keys_that_are_not_identifiers_are_quoted_and_types_matter() -> None:
    changes = field_changes(
        {"labels": {"a.b/c": "1"}, "n": 1}, {"labels": {"a.b/c": "2"}, "n": True}
    )
    assert [f.path for f in changes] == ['labels["a.b/c"]', "n"]


def test_rename_needs_equal_content() -> None:
    result = diff(
        [obj("a", {"data": {"k": "v"}}), obj("b", {"data": {"k": "1"}})],
        [obj("a2", {"data": {"k": "v"}}), obj("b2", {"data": {"k": "2"}})],
    )
    assert sorted((c.change, c.name, c.old_name) for c in result.changes) == [
        ("added", "b2", None),
        ("removed", "b", None),
        ("renamed", "a2", "a"),
    ]


def test_risk_tags() -> None:
    base = [obj("r", {"rules": []}, kind="ClusterRole", group="rbac.authorization.k8s.io")]
    (change,) = diff(base, []).changes
    assert change.risk == ("deletion", "rbac")
    pod = {
        "spec": {
            "template": {"spec": {"containers": [{"name": "c", "image": "i:1"}]}},
            "replicas": 1,
        }
    }
    new = {
        "spec": {
            "template": {
                "spec": {
                    "containers": [
                        {"name": "c", "image": "i:2", "securityContext": {"privileged": True}}
                    ]
                }
            },
            "replicas": 2,
        }
    }
    (change,) = diff(
        [obj("d", pod, kind="Deployment", group="apps")],
        [obj("d", new, kind="Deployment", group="apps")],
    ).changes
    assert change.risk == ("image", "pod-security", "replicas")


def test_redact_replaces_every_secret_value_with_a_salted_hash() -> None:
    body = {"kind": "Secret", "data": {"a": "c2VjcmV0"}, "stringData": {"b": "secret"}}
    redacted = redact("", "Secret", "s", body)
    assert "secret" not in repr(redacted["stringData"]) and "c2VjcmV0" not in repr(redacted)
    assert redact("", "Secret", "other", body)["data"] != redacted["data"]
    assert body["data"] == {"a": "c2VjcmV0"}  # the input is not changed


def test_one_object_larger_than_a_part_is_truncated_within_the_limit() -> None:
    big = {"data": {f"k{i:04d}": "x" * 40 for i in range(800)}}
    result = diff([], [obj("huge", big), obj("small", {"data": {"k": "v"}})])
    parts = markdown(result, META, 5000)
    assert all(len(p) <= 5000 for p in parts)
    assert any("truncated:" in p for p in parts)
    assert sum(p.count("added `ConfigMap`") for p in parts) == 2


def test_json_keys_are_stable() -> None:
    import json

    document = json.loads(
        to_json(diff([obj("a", {"data": {"k": "1"}})], [obj("a", {"data": {"k": "2"}})]), META)
    )
    assert sorted(document) == ["base", "changes", "head", "summary", "version"]
    assert sorted(document["changes"][0]) == [
        "app",
        "change",
        "env",
        "fields",
        "file",
        "group",
        "kind",
        "name",
        "namespace",
        "renamedFrom",
        "risk",
    ]


def test_two_objects_of_one_identity_are_both_kept() -> None:
    first = obj("a", {"data": {"k": "1"}})
    second = Obj("dev", "app", "", "ConfigMap", "ns", "a", "rendered/dev/app/copy.yaml", first.body)
    assert [c.path for c in diff([], [first, second]).changes] == [
        "rendered/dev/app/a.yaml",
        "rendered/dev/app/copy.yaml",
    ]
