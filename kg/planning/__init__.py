"""kg.planning — planning intelligence over the graph: buckets, co-affected species, clusters, scores.

Modules (each one job):

    models      result records (pydantic): recommendations, co-affected species, clusters, scores
    profile     records → per-assessment planning profiles (pure)
    labels      versioned labelling functions: bucket evidence from coded data (pure)
    exsitu      the IUCN SSC ex situ guidelines' decision steps as a reviewable evaluation (pure)
    keys        threat × place keys: computed from profiles, written to their own named graph
    graphdata   lean library queries (kg/queries/planning_*.rq) → profiles, at any scale
    coaffected  co-affected species: key index ranking and the graph query path
    clusters    candidate planning clusters and the family/genus baseline
    scores      STAR-style threat-abatement scores per threat × place
    suggestions results → a2p:Suggestion quads with PROV, in graph/planning/<model>/<version>
    sources     readers for the research tables used in evaluation only (target 3, ex situ)

Nothing here imports `nlp` or `api`; `profile`, `labels`, `exsitu` and `models` import only
records, schemes and pure helpers, so `nlp.buckets` may build on them.
"""
