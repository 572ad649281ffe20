"""`classify spot-check --product` and `stats`: the spot-check summary (抽查产品种数, 不合格检出率) on screen."""

from inspector_app.cli.main import main

USCC = "91350100M000100Y43"  # conftest's sample enterprise


def test_spot_check_product_counted_in_stats(db, sample, db_path, capsys, fixed_today):
    db.close()
    base = ["--db", str(db_path)]
    for product, failed in (("密胺塑料餐具", "1"), ("食品用塑料包装容器工具", "0"), ("密胺塑料餐具", "0")):
        argv = ["classify", "spot-check", USCC, "--level", "municipal", "--on", "2026-05-01", "--batches", "1"]
        assert main([*base, *argv, "--failed", failed, "--product", product]) == 0
    capsys.readouterr()
    assert main([*base, "stats", "--year", "2026"]) == 0
    out = capsys.readouterr().out
    # 3 batches of 2 products from 1 enterprise, 1 failed: 1/3 = 33.3 % (one decimal, half up)
    assert "监督抽查：共抽查1家企业生产的2种3批次产品，发现不合格产品1批次，不合格检出率为33.3%。" in out
    assert "飞行检查：本期没有飞行检查。" in out
    assert (
        main(
            [
                *base,
                "classify",
                "spot-check",
                USCC,
                "--level",
                "municipal",
                "--on",
                "2026-05-01",
                "--product",
                "长" * 101,
            ]
        )
        == 1
    )
    assert "抽查产品" in capsys.readouterr().err
