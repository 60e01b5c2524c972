"""``ModelData.restrict``: which rows go is read from ``SCHEMA``, not from hand lists."""

from __future__ import annotations

import pytest

from optimizer.model_data import SCHEMA

TWO = ((2025, 5, 1.0), (2030, 5, 0.8))


def two_links(net):
    """Two periods, two links on one span, one demand: every table has rows."""
    n = net(periods=TWO).equip("trusted_node", capex=1.0).tech("x", capex=1.0)
    n.span("S", "A", "B").customer("bank", ["A"])
    n.link("L1", "x", "A", "B", 1.0, spans=("S",)).link("L2", "x", "A", "B", 2.0, spans=("S",))
    return n.demand("d", "A", "B", 1.0).data()


@pytest.mark.parametrize("column", ["period", "link"])
def test_every_table_with_the_column_is_cut_and_no_other(net, column):
    """For every table of the schema: rows are kept exactly where the column's value is
    kept; a table without the column is left as it is. Adding a per-period or per-link
    table or column to ``SCHEMA`` is covered here with no other edit."""
    data = two_links(net)
    keep = {"period": [2030], "link": ["L2"]}[column]
    cut = data.restrict(**{column + "s": keep})
    for name, df in data.tables().items():
        after = getattr(cut, name)
        if column in SCHEMA[name]:
            assert len(df) > 0 and set(after[column]) == set(keep), name
            assert len(after) == int(df[column].isin(keep).sum()), name
        else:
            assert after.equals(df), name
    assert cut.validate() is cut


def test_periods_and_links_together(net):
    """capacity has both columns: only (L1, 2025) is left of its 4 rows."""
    cut = two_links(net).restrict(periods=[2025], links=["L1"])
    assert cut.capacity[["link", "period"]].values.tolist() == [["L1", 2025]]
