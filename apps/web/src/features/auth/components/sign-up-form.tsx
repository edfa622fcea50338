import { useSignUp } from '../api/sign-up';
import { CredentialsForm } from './credentials-form';

export function SignUpForm() {
  const mutation = useSignUp();
  return <CredentialsForm mode="sign-up" mutation={mutation} />;
}
