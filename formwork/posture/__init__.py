"""The estate's posture: is each environment inside its recovery and release objectives, and why not.

`facts` reads what is known of one environment from where each fact lives (its backup store, its drill
records, its GitOps overlay, its Odoo, its copy's own record of the refresh); `verdict` judges it;
`render`, `metrics` and `charts` show it. Nothing here imports Prefect: the front-ends pass in what only
Prefect knows (runs waiting for approval, the archive status a PITR task read).
"""
