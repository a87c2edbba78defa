// The account's admins in the account's order, with the names and address the account record
// gives each (which may differ from the user's own record).
MATCH (u:knowbe4_user)-[m:MANAGES]->(:knowbe4_account)
RETURN m.position AS position, u.id AS user_id, m.firstName AS first_name,
       m.lastName AS last_name, m.email AS email
ORDER BY position;
