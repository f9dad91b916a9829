ALTER TYPE "public"."role" ADD VALUE 'owner' BEFORE 'admin';
