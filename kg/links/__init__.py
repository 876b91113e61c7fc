"""kg.links — the graph linked beyond the Red List: other databases, pledges, alerts.

    load          link_file(kind, path, store): CITES, ex situ, scores, ids, Green Status
    match         names → taxa (exact, normalised, synonym, spelling, rank), MatchReport
    pledges       stakeholders pledging actions for species at places
    alerts        subscriptions, webhook delivery with retries, the notification log
    reassessment  species needing reassessment (age, site events)
    review        link columns for the review table, cluster views and species page

Site events themselves are in kg.events. Formats and commands: docs/links.md.
"""
