// Users who clicked in phishing security test $pst (its pstId), with each of their groups
// (one row per user and group; a user in no group has a null group).
MATCH (t:knowbe4_phishing_security_test {pstId: $pst})-[:CONTAINS]->(r:knowbe4_phishing_security_test_result)
MATCH (u:knowbe4_user)-[:HAS]->(r)
WHERE r.clickedAt IS NOT NULL
OPTIONAL MATCH (g:knowbe4_user_group)-[:HAS]->(u)
RETURN DISTINCT u.id AS user_id, g.id AS group_id
ORDER BY user_id, group_id;
