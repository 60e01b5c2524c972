"""Equipment bundles: site equipment that exactly the same links need, decided as one.

A field hut on a repeater chain is needed by every link whose chain passes it, and often by
no other: the 14 huts a QEC chain places along one fibre span are all needed by the same
links. Declaring ``site[i,e,t]`` for each hut and ``installed[l,t] <= M_l site[i,e,t]`` for
each (link, hut) makes the model grow with links x huts (84,000 of the UK backbone's
143,000 rows). Keys ``(i, e)`` with the same equipment ``e`` and the same set of needing
links ``L`` are interchangeable: each one's cheapest value is the same function of the
links' decisions, ``site[i,e,t] = 1`` from the first period any link of ``L`` is installed
(or earlier, if buying early is cheaper; the same for every member, as their costs are
equal). So one binary per bundle is exact, priced as ``n`` members, and expanded back to
its ``n`` sites when the plan is read out.

Keys also used outside ``link_needs`` (trusted nodes where key is relayed) stay single.
"""

from __future__ import annotations

from collections import defaultdict

SiteKey = tuple[str, str]


def bundle_equipment(
    link_needs: dict[str, list[SiteKey]], single: set[SiteKey]
) -> tuple[dict[str, list[SiteKey]], dict[SiteKey, tuple[str, ...]]]:
    """Group the keys of ``link_needs`` by (equipment, needing links), except ``single``.

    Returns ``link_needs`` with every key replaced by its bundle's representative (the
    bundle's first site id in sorted order, so a key needed alone keeps its own id) and
    ``members``: representative -> the bundle's site ids, for every key (``single`` ones
    and unbundled ones map to themselves alone).
    """
    needed_by: dict[SiteKey, set[str]] = defaultdict(set)
    for ln, needs in link_needs.items():
        for key in needs:
            needed_by[key].add(ln)
    groups: dict[tuple[str, frozenset[str]], list[str]] = defaultdict(list)
    for (i, e), links in needed_by.items():
        if (i, e) not in single:
            groups[e, frozenset(links)].append(i)
    rep: dict[SiteKey, SiteKey] = {}
    members: dict[SiteKey, tuple[str, ...]] = {}
    for (e, _), sites in groups.items():
        ordered = tuple(sorted(sites))
        members[ordered[0], e] = ordered
        rep.update({(i, e): (ordered[0], e) for i in ordered})
    for key in single:
        rep[key] = key
        members[key] = (key[0],)
    bundled = {
        ln: list(dict.fromkeys(rep[key] for key in needs)) for ln, needs in link_needs.items()
    }
    return bundled, members
