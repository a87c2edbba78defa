// How many users each group has (groups without members included).
// Labels are the _type of each node; relationship types are the JupiterOne _class.
MATCH (g:knowbe4_user_group)
OPTIONAL MATCH (g)-[:HAS]->(u:knowbe4_user)
RETURN g.id AS group_id, g.name AS group_name, count(u) AS users
ORDER BY group_id;
