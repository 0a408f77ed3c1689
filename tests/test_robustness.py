"""Bad input never takes flake8 down: real flake8 runs on throw-away projects.

Each case checks that flake8 finishes, that stderr carries no traceback (at most a
one-line ``flake8-async-bridge:`` message), and that the findings of the other,
healthy files are still reported.
"""

from __future__ import annotations

from pathlib import Path
from textwrap import dedent

import pytest
from flake8_subprocess import Run, flake8

SYNC = dedent('''\
    from shop.models import Order


    async def import_orders(shop_id):
        await Order.objects.filter(shop_id=shop_id).aupdate(synced=True)
''')
TASKS = dedent('''\
    import asyncio

    from celery import shared_task

    from shop.sync import import_orders


    @shared_task
    def refresh(shop_id):
        asyncio.run(import_orders(shop_id))
''')
HEALTHY = ("shop/tasks.py", 10, 5, "ABR101")


def write(root: Path, files: dict[str, str | bytes]) -> Path:
    for name, content in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    return root


@pytest.fixture
def shop(tmp_path: Path) -> Path:
    return write(tmp_path, {"shop/__init__.py": "", "shop/sync.py": SYNC, "shop/tasks.py": TASKS})


def assert_clean_stderr(run: Run, max_lines: int = 0) -> list[str]:
    assert "Traceback" not in run.stderr, run.stderr
    assert "internal error" not in run.stderr, run.stderr
    lines = run.stderr.splitlines()
    assert len(lines) <= max_lines, run.stderr
    assert all(line.startswith("flake8-async-bridge: ") for line in lines), run.stderr
    return lines


def test_syntax_error_file(shop: Path) -> None:
    write(shop, {"shop/broken.py": "def broken(:\n    pass\n"})
    run = flake8(shop, "--select=ABR,E999", "shop")
    assert_clean_stderr(run)
    found = run.findings()
    assert ("shop/broken.py", 1, 13, "E999") in found
    assert HEALTHY in found
    assert run.returncode == 1


def test_import_of_a_module_with_a_syntax_error_is_unknown(shop: Path) -> None:
    write(shop, {
        "shop/broken_sync.py": "async def import_broken(shop_id:\n    pass\n",
        "shop/tasks2.py": TASKS.replace("shop.sync import import_orders", "shop.broken_sync import import_broken")
                               .replace("import_orders(shop_id)", "import_broken(shop_id)"),
    })
    run = flake8(shop, "--select=ABR", "shop")
    assert_clean_stderr(run)
    assert run.findings() == [HEALTHY]  # unknown coroutine: not ABR101 (ABR106 is off)


def test_latin1_file_with_coding_cookie(shop: Path) -> None:
    cookie = "# -*- coding: latin-1 -*-\n"
    latin_sync = cookie + SYNC.replace("import_orders", "import_latin") + 'NOTE = "r\xe9sum\xe9"\n'
    latin_task = cookie + (
        TASKS.replace("import asyncio\n", 'import asyncio\n\nLABEL = "caf\xe9"\n')
        .replace("shop.sync import import_orders", "shop.latin_sync import import_latin")
        .replace("import_orders(shop_id)", "import_latin(shop_id)")
    )
    write(shop, {
        "shop/latin_tasks.py": latin_task.encode("latin-1"),
        "shop/latin_sync.py": latin_sync.encode("latin-1"),
    })
    run = flake8(shop, "--select=ABR,E9", "shop")
    assert_clean_stderr(run)
    # the task file is read through its cookie, and so is the module the index parses for it
    assert ("shop/latin_tasks.py", 13, 5, "ABR101") in run.findings()
    assert HEALTHY in run.findings()


def test_file_with_invalid_bytes(shop: Path) -> None:
    bad = TASKS.encode("utf-8").replace(b"import asyncio\n", b'import asyncio\n\nLABEL = "\xff\xfe caf\xe9"\n')
    bad_sync = SYNC.replace("import_orders", "import_bad").encode("utf-8") + b'\nNOTE = "\xff"\n'
    write(shop, {
        "shop/bad_tasks.py": bad,
        "shop/bad_sync.py": bad_sync,
        "shop/uses_bad.py": TASKS.replace("shop.sync import import_orders", "shop.bad_sync import import_bad")
                                 .replace("import_orders(shop_id)", "import_bad(shop_id)"),
    })
    run = flake8(shop, "--select=ABR,E9", "shop")
    assert_clean_stderr(run)
    found = run.findings()
    assert HEALTHY in found
    # whatever flake8 makes of the undecodable file (E902/E999, or a lenient decode), the
    # run goes on; the file that imports from it is either analysed or left unknown
    assert {f[3] for f in found if f[0] == "shop/uses_bad.py"} <= {"ABR101"}


def test_huge_generated_file(shop: Path) -> None:
    parts = ["import asyncio\n\nfrom celery import shared_task\nfrom shop.models import Order\n"]
    lines = 4
    number = 0
    while lines < 50_000:
        parts.append(
            f"\n\ndef helper_{number}(value, factor={number}):\n    total = value * factor\n"
            f"    if total > {number}:\n        return total - {number}\n    return [t for t in range(total)]\n"
            f"\n\nasync def fetch_{number}(client):\n    response = await client.get('/items/{number}')\n"
            f"    return response.json()\n"
        )
        lines += 12
        number += 1
    parts.append(
        "\n\nasync def touch(pk):\n    await Order.objects.filter(pk=pk).aupdate(seen=True)\n"
        "\n\n@shared_task\ndef planted(pk):\n    asyncio.run(touch(pk))\n"
    )
    source = "".join(parts)
    planted_line = source.count("\n")
    assert planted_line > 50_000
    write(shop, {"shop/generated.py": source})
    run = flake8(shop, "--select=ABR", "shop", timeout=900)  # generous: it must finish, not be fast
    assert_clean_stderr(run)
    assert sorted(run.findings()) == sorted([("shop/generated.py", planted_line, 5, "ABR101"), HEALTHY])


def test_import_cycle_between_project_modules(tmp_path: Path) -> None:
    write(tmp_path, {
        "app/__init__.py": "",
        "app/a.py": dedent('''\
            import asyncio

            from app.b import save_orders


            def run_async(coro):
                return asyncio.run(coro)


            async def load_orders(shop_id):
                await save_orders(shop_id)
        '''),
        "app/b.py": dedent('''\
            from celery import shared_task

            from app.a import load_orders, run_async
            from app.models import Order


            async def save_orders(shop_id):
                await Order.objects.filter(shop_id=shop_id).aupdate(synced=True)


            @shared_task
            def sync_shop(shop_id):
                run_async(load_orders(shop_id))
        '''),
    })
    for order in (["app"], ["app/b.py", "app/a.py"], ["app/b.py"]):
        run = flake8(tmp_path, "--select=ABR", *order)
        assert_clean_stderr(run)
        assert run.findings() == [("app/b.py", 13, 5, "ABR101")], (order, run.stdout)


def test_missing_project_root(shop: Path) -> None:
    write(shop, {"shop/local.py": dedent('''\
        import asyncio

        from celery import shared_task
        from shop.models import Order


        async def touch(pk):
            await Order.objects.filter(pk=pk).aupdate(seen=True)


        @shared_task
        def planted(pk):
            asyncio.run(touch(pk))
    ''')})
    run = flake8(shop, "--select=ABR", f"--abr-project-root={shop / 'no-such-dir'}", "shop")
    lines = assert_clean_stderr(run, max_lines=1)
    assert len(lines) == 1 and "--abr-project-root" in lines[0] and "no-such-dir" in lines[0]
    assert ("shop/local.py", 13, 5, "ABR101") in run.findings()


@pytest.mark.parametrize("content", [
    "runner_functions: [a, b\n  bad: : yaml\n",   # not YAML
    "- just\n- a list\n",                          # YAML, wrong shape
    "runner_functions: 3\n",                       # wrong value type
    b"runner_functions:\n  - caf\xe9\n",            # not UTF-8
], ids=["invalid-yaml", "not-a-mapping", "bad-value", "bad-encoding"])
def test_broken_extra_knowledge(shop: Path, content: str | bytes) -> None:
    write(shop, {"knowledge.yaml": content})
    run = flake8(shop, "--select=ABR", "--abr-extra-knowledge=knowledge.yaml", "shop")
    lines = assert_clean_stderr(run, max_lines=1)
    assert len(lines) == 1 and "knowledge.yaml" in lines[0], run.stderr
    assert run.findings() == [HEALTHY]


def test_missing_extra_knowledge_file(shop: Path) -> None:
    run = flake8(shop, "--select=ABR", "--abr-extra-knowledge=nope.yaml", "shop")
    lines = assert_clean_stderr(run, max_lines=1)
    assert len(lines) == 1 and "nope.yaml" in lines[0]
    assert run.findings() == [HEALTHY]


def test_bad_django_version_option(shop: Path) -> None:
    run = flake8(shop, "--select=ABR", "--abr-django-version=latest", "shop")
    lines = assert_clean_stderr(run, max_lines=1)
    assert len(lines) == 1 and "latest" in lines[0]
    assert run.findings() == [HEALTHY]


def test_empty_and_odd_files(shop: Path) -> None:
    write(shop, {
        "shop/empty.py": "",
        "shop/only_comment.py": "# nothing here\n",
        "shop/bom.py": "\ufeffimport asyncio\n",
        "shop/crlf.py": TASKS.replace("\n", "\r\n").replace("def refresh", "def refresh_crlf"),
        "shop/deep.py": "x = " + "(" * 90 + "1" + ")" * 90 + "\n",
        # as deep as pyflakes itself survives: long chains of calls and attributes
        "shop/deep_expr.py": "async def f():\n    x = " + " + ".join(["g()"] * 250) + "\n    y = a" + ".b" * 250
                             + "()\n    z = h" + "()" * 120 + "\n    await q" + ".w()" * 120 + "\n",
    })
    run = flake8(shop, "--select=ABR,E9", "shop")
    assert_clean_stderr(run)
    assert sorted(run.findings()) == sorted([HEALTHY, ("shop/crlf.py", 10, 5, "ABR101")])
