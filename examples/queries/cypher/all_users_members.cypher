// The members of "All Users" (group 0): every active user.
MATCH (g:knowbe4_user_group {id: 0})-[:HAS]->(u:knowbe4_user)
RETURN u.id AS user_id, u.email AS email
ORDER BY user_id;
