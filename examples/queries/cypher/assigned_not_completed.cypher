// Users assigned module $module (its _key) who have not completed it, per training campaign:
// an ASSIGNED enrollment of the campaign and no COMPLETED one of the same campaign.
MATCH (c:training_campaign)-[:HAS]->(m:training_module {_key: $module})-[a:ASSIGNED]->(u:knowbe4_user)
WHERE a.campaignId = c.campaignId
  AND NOT EXISTS { MATCH (u)-[d:COMPLETED]->(m) WHERE d.campaignId = c.campaignId }
RETURN DISTINCT c.campaignId AS campaign_id, u.id AS user_id
ORDER BY campaign_id, user_id;
