// The account's risk score history, oldest first: one knowbe4_risk_score node per date.
MATCH (:knowbe4_account)-[:HAS]->(r:knowbe4_risk_score)
RETURN r.name AS name, r.riskScore AS risk_score
ORDER BY r.date;
