module.exports.generateSql = () => 'CREATE TABLE u (id int)';
